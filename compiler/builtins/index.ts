import { addAutodiff } from './autodiff';
import { addCheck } from './check';
import { addCompare } from './compare';
import { addCompile } from './compile';
import { addCreation } from './creation';
import { addExplain } from './explain';
import { addMath } from './math';
import { addMisc } from './misc';
import { addNotebook } from './notebook';
import { addStepper } from './stepper';
import { BuiltinTable, type BuiltinContext } from './table';
import { addTeaching } from './teaching';
import { addTraining } from './training';
import { addPde } from './pde';
import { addSchedules } from './schedules';
import { addData } from './data';

export { BuiltinTable, type BuiltinContext, type BuiltinDef } from './table';

export function createBuiltins(ctx: BuiltinContext): BuiltinTable {
  const t = new BuiltinTable();
  addCreation(t);
  addMath(t);
  addAutodiff(t);
  addCompile(t);
  addTraining(t);
  addPde(t);
  addSchedules(t);
  addData(t);
  addExplain(t);
  addMisc(t, ctx);
  addNotebook(t, ctx);
  addCheck(t, ctx);
  addStepper(t);
  addCompare(t, ctx);
  addTeaching(t, ctx);
  return t;
}
