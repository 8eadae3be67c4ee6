// What this browser offers a GPU backend (a WebGPU adapter, a WebGL2 context, WebAssembly), asked on the
// page's main thread, whatever the runtime in the session worker does with it.
export interface BrowserGpu {
  webgpu: string;
  webgl2: string;
  wasm: string;
}

/** What this browser offers, whatever the runtime does with it. */
export async function browserCapabilities(): Promise<BrowserGpu> {
  let webgpu = 'not offered (no navigator.gpu)';
  const gpu = (
    navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }
  ).gpu;
  if (gpu) {
    try {
      const adapter = await gpu.requestAdapter();
      if (!adapter) webgpu = 'navigator.gpu present, but no adapter answered';
      else {
        const info = adapter.info ?? {};
        const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
        webgpu = `adapter: ${name || 'unnamed'}`;
      }
    } catch (e) {
      webgpu = `adapter request failed: ${(e as Error).message}`;
    }
  }
  let webgl2 = 'not offered';
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (gl) {
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      webgl2 = `renderer: ${ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER)}`;
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
  } catch {
    // left as not offered
  }
  const simd =
    typeof WebAssembly === 'object' &&
    WebAssembly.validate(
      new Uint8Array([
        0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
      ]),
    );
  const wasm = typeof WebAssembly === 'object' ? `WebAssembly${simd ? ' with SIMD' : ' (no SIMD)'}` : 'no WebAssembly';
  return { webgpu, webgl2, wasm };
}
