/**
 * Values as front ends show them: MIME bundles for tensors (text and an HTML table), charts (Vega-Lite with
 * an SVG fallback), progress bars updated in place, and a protocol for any object to supply its own bundle.
 * Used by the kernel and, through `createSession({ mime: valueBundle })` and the notebook builtins, the
 * compiler. Depends on the runtime only.
 */
export { MIME_BUNDLE, valueBundle, type DisplaySink, type HasMimeBundle, type MimeBundle } from './bundle';
export { escapeHtml } from './html';
export { tensorBundle, tensorHtml, tensorSummary } from './tensor';
export {
  chartBundle,
  chartsLoaded,
  loadCharts,
  plot,
  renderSvg,
  scatter,
  seriesSpec,
  toNumbers,
  VEGALITE_MIME,
  type ChartOptions,
  type PlotOptions,
  type Series,
  type VegaLiteSpec,
} from './chart';
export { Progress, progressBundle, type ProgressOptions } from './progress';
export { inlineSvg, Stepper, STEPS_MIME, stepperHtml, stepperPage, type StepsPayload } from './stepper';
export { mountStepper } from './stepper-ui';
