// gpu.js backends (cpu, webasm, webgpu) register here; see ./README in this folder.
export {};
