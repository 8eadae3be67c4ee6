/** Optimizers with PyTorch 1.13's update rules (see README.md). */
export { Optimizer, zeroGrad, type ParamGroup, type GroupSpec, type Params, type Closure } from './optimizer';
export { SGD, sgd, type SGDOptions } from './sgd';
export { Adam, adam, type AdamOptions } from './adam';
export { AdamW, adamw } from './adamw';
export { LBFGS, lbfgs, type LBFGSOptions, type LBFGSArgs } from './lbfgs';
export { StepLR, ExponentialLR, CosineLR, ReduceOnPlateau, type PlateauOptions } from './schedules';
export { setDeviceOptimizers } from './device-step';
