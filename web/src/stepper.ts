// The backward stepper in the playground: drawn from the bundle's STEPS_MIME entry by the same UI module
// the notebooks' inline script is made of (display/stepper-ui.ts), so the page needs no inline script.
// Graphviz's SVG goes through DOMPurify's SVG profile before it enters the page.
import DOMPurify from 'dompurify';
import { mountStepper, type StepsPayload } from '../../display';

/** The stepper, or (for a malformed payload, say from an imported notebook) its text form with the reason. */
export function renderStepper(payload: StepsPayload, text: string): HTMLElement {
  try {
    return stepper(payload);
  } catch (e) {
    const pre = document.createElement('pre');
    pre.className = 'output text';
    pre.textContent = `${text}\n(the stepper could not be drawn: ${(e as Error)?.message ?? e})`;
    return pre;
  }
}

function stepper(payload: StepsPayload): HTMLElement {
  if (typeof payload.svg !== 'string' || !Array.isArray(payload.steps?.steps))
    throw new Error('the steps are malformed');
  const root = document.createElement('div');
  root.className = 'nabla-stepper';
  const graph = document.createElement('div');
  graph.className = 'ns-graph';
  // the SVG profile keeps Graphviz's node ids (the stepper finds its nodes by them); nothing in a graph
  // links or loads anything, so no link, image, style or foreign content is let through either
  graph.append(
    DOMPurify.sanitize(payload.svg, {
      USE_PROFILES: { svg: true },
      FORBID_TAGS: [
        'a',
        'image',
        'use',
        'style',
        'foreignObject',
        'set',
        'animate',
        'animateMotion',
        'animateTransform',
        'script',
      ],
      FORBID_ATTR: ['href', 'xlink:href', 'style'],
      RETURN_DOM_FRAGMENT: true,
    }),
  );
  root.append(graph);
  mountStepper(root, payload.steps);
  return root;
}
