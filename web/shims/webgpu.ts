// Browser stand-in for the npm package 'webgpu' (Dawn for Node): a browser has navigator.gpu instead.
export function create(): never {
  throw new Error("the npm package 'webgpu' is Dawn for Node; a browser offers navigator.gpu instead");
}
export const globals = {};
export default { create, globals };
