/** Files: .npy arrays, .npz checkpoints (nested values, PyTorch state_dict names), CSV tables. Bytes in, bytes out. */
export { encodeNpy, decodeNpy, MAX_ELEMENTS } from './npy';
export { encodeCheckpoint, decodeCheckpoint, STRUCTURE_KEY, type TupleCodec } from './checkpoint';
export { parseCsv, formatCsv, type CsvOptions } from './csv';
