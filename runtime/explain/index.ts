/**
 * Seeing what differentiation does: the recorder and text of `explain`, the symbolic `formula`, the graph
 * picture, and the diagnostics for missing, zero and NaN gradients. Plain functions over recorded nodes;
 * nothing here runs unless asked (or, for diagnostics, unless something already went wrong).
 */
import './diagnose'; // registers the missing, zero and NaN gradient sentences with backprop

export { traceBackward, type TracePass, type TraceStep, type Traced } from './trace';
export { renderTrace, renderPass } from './render';
export { formula } from './formula';
export { graphDot, type GraphSummary } from './graph';
export { loadGraphviz, graphvizLoaded, renderSvg } from './graphviz';
export { nodeLabel, nodeName, valueLabel, fmtNumber, fmtTensor } from './names';
