import { GPU } from 'gpu.js';
import type { DeviceData } from '../../storage';
import { kernelClasses, runPlan, runPlanKeptHere, type GlTexture } from './cache';
import { checkPlan } from './check';
import type { Plan } from './plans';
import { countRead, gpuResident } from './resident';

/**
 * The webgl2 backend's probe. gpu.js mode 'webgl2' is synchronous (a kernel call ends in readPixels), so
 * the eager runtime can use it as it is, on a page's main thread or in a worker (gpu.js draws on an
 * OffscreenCanvas there). It needs float render targets (EXT_color_buffer_float) and 32-bit highp floats
 * in fragment shaders; the probe checks both and then runs check.ts's kernel, whose result must equal
 * the float32 values exactly.
 */
let answer: string | null | undefined;
/** The renderer, when it is a CPU emulation of a GPU (SwiftShader, llvmpipe). */
let software: string | null = null;

/** `auto`: the automatic choice, which also passes over a CPU emulation (slower than webasm and js). */
export function probeWebGL2(auto = false): string | null {
  if (answer === undefined) answer = check();
  if (answer || !auto || !software) return answer;
  return `its only renderer is a CPU emulation (${software}), slower here than webasm; choose webgl2 by name to use it anyway`;
}

function check(): string | null {
  const g = globalThis as {
    document?: { createElement(tag: string): any };
    OffscreenCanvas?: new (w: number, h: number) => any;
  };
  if (!g.document && !g.OffscreenCanvas) {
    return "WebGL2 exists only in browsers (gpu.js's Node equivalent, mode 'headlessgl', needs the optional native package 'gl', which Nabla does not install)";
  }
  let gl: any;
  try {
    const canvas = g.document ? g.document.createElement('canvas') : new g.OffscreenCanvas!(1, 1);
    gl = canvas.getContext('webgl2');
  } catch {
    gl = null;
  }
  if (!gl) return 'this browser gives no WebGL2 context (disabled, or no GPU it trusts)';
  try {
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    software = /swiftshader|llvmpipe|softpipe|software/i.test(renderer) ? renderer : null;
    if (!gl.getExtension('EXT_color_buffer_float'))
      return 'WebGL2 here cannot render to float textures (no EXT_color_buffer_float), which gpu.js needs to return float32 results';
    const high = gl.getShaderPrecisionFormat(gl.FRAGMENT_SHADER, gl.HIGH_FLOAT);
    if (!high || high.precision < 23)
      return `fragment shaders here have ${high?.precision ?? 0}-bit highp floats; float32 needs 23`;
  } finally {
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
  if (!GPU.isWebGL2Supported) return 'gpu.js does not find WebGL2 here';
  try {
    const { plan, verify } = checkPlan('webgl2');
    const wrong = verify(runPlan('webgl2', plan));
    if (wrong) return wrong;
    const ran = kernelClasses('webgl2').get(plan.key);
    if (ran !== 'WebGL2Kernel') return `gpu.js ran its webgl2 check kernel as ${ran}, not WebGL2Kernel`;
    return null;
  } catch (e) {
    return `gpu.js webgl2 failed its check kernel: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
}

/**
 * An op result webgl2 keeps on the GPU: the texture gpu.js's pipeline mode returned, which later kernels
 * of this thread read in place (runtime/storage.ts DeviceData; README.md, "Resident tensors").
 */
class TextureData implements DeviceData {
  readonly backend = 'webgl2';
  private released = false;
  constructor(
    readonly handle: GlTexture,
    readonly length: number,
  ) {
    liveTextures++;
  }
  read(): Float32Array {
    countRead('webgl2', this.length);
    return this.handle.toArray().slice(0, this.length);
  }
  release(): void {
    if (this.released) return;
    this.released = true;
    liveTextures--;
    this.handle.delete();
  }
}

let liveTextures = 0;

/** Op results webgl2 keeps on the GPU now. */
export const webgl2LiveTextures = (): number => liveTextures;

/** Runs a plan on webgl2 and leaves the result on the GPU (or, with residency off, returns it). */
export function keepOnWebGL2(plan: Plan): TextureData | Float32Array {
  if (!gpuResident()) return runPlan('webgl2', plan);
  const result = runPlanKeptHere('webgl2', plan);
  return ArrayBuffer.isView(result) ? result : new TextureData(result, plan.cells);
}
