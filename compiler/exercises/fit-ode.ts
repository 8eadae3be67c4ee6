import * as nb from '../../runtime';
import { Tensor } from '../../runtime';
import { typeName, type Value } from '../values';
import { call, f64, fmt, Hint, needFunction, numbers, relativeError, right, type Exercise } from './kit';

/**
 * Fit a small ODE: u'(t) = -2 u(t), u(0) = 1 on [0, 1], whose solution is exp(-2t). The answer is the
 * trained network (any function of a [n, 1] tensor of times); it passes when its relative L2 error against
 * exp(-2t) on 101 points is under 1e-2. The hints tell the usual failures apart by the shape of the curve.
 */
const TOL = 1e-2;
const M = 101;

export const fitOde: Exercise = {
  name: 'fit-ode',
  task: 'train a network u(t) so that du/dt = -2u on [0, 1] with u(0) = 1, then check("fit-ode", net)',
  check(answer: Value) {
    const f = needFunction(answer, this, 'your trained network (a function of t)');
    const t = nb.reshape(nb.linspace(0, 1, M), [M, 1]);
    const out = nb.noGrad(() => call(f, [t], 'net(t)'));
    if (!(out instanceof Tensor) || out.size !== M) {
      throw new Hint(
        `net(t) for t of shape [${M}, 1] must give ${M} values (shape [${M}, 1]), but gave ${out instanceof Tensor ? `shape [${out.shape.join(', ')}]` : `a ${typeName(out)}`}`,
      );
    }
    const u = f64(out, [M]);
    const exact = nb.exp(nb.mul(f64(t, [M]), -2));
    const err = relativeError(u, exact);
    if (err < TOL)
      return right(`relative L2 error ${fmt(err)} against the exact solution exp(-2t) (needed below ${TOL}).`);
    const us = numbers(u);
    const said = `relative L2 error ${fmt(err)} (needed below ${TOL})`;
    if (us.some((v) => !Number.isFinite(v))) throw new Hint('net(t) has non-finite values: lower the learning rate');
    if (relativeError(u, nb.exp(nb.mul(f64(t, [M]), 2))) < 0.1)
      throw new Hint(
        `${said}: your network grows like exp(2t), so it solves du/dt = +2u; check the sign of the residual du/dt + 2u`,
      );
    const flat = Math.max(...us) - Math.min(...us) < 0.1;
    if (flat && Math.abs(us[0] - 1) > 0.05) {
      throw new Hint(
        `${said}: net(t) is almost constant (about ${fmt(us[0])}), as an untrained network is; train it on mean((du/dt + 2u)^2) at collocation points plus (u(0) - 1)^2`,
      );
    }
    if (flat) {
      throw new Hint(
        `${said}: u(0) = 1 but net(t) stays almost constant, as if the ODE were not in the loss; add mean((du/dt + 2u)^2) at collocation points, with du/dt from grad(u, t, grad_outputs=ones_like(u), create_graph=true)`,
      );
    }
    if (Math.abs(us[0] - 1) > 0.05)
      throw new Hint(
        `${said}: u(0) = ${fmt(us[0])} but must be 1; is the initial condition (u(0) - 1)^2 in your loss?`,
      );
    throw new Hint(
      `${said}: u(0) = ${fmt(us[0])} is right but the curve is off (u(1) = ${fmt(us[M - 1])}, exp(-2) = ${fmt(nb.libm.exp(-2))}); train longer, or with more collocation points`,
    );
  },
};
