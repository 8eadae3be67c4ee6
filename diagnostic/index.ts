// The one error shape (shape.ts), its rendering (render.ts) and a carrier for front ends (reported.ts).
export { CALLED_FROM, carried, placeless, placeOf, type Carrier, type Diagnostic, type Place } from './shape';
export { excerpt, failed, headline, renderAll, renderTraceback, type SourceOf } from './render';
export { Reported } from './reported';
