// Deterministic CSV datasets shaped like Qlik AutoML prediction output, streamed in chunks
// without being held in memory: which files exist (catalog.mjs), what their cells hold
// (content.mjs), and their exact bytes, sizes and hashes (files.mjs).
export {
  FILE_TYPES, SAMPLE_DATASETS, DatasetError, resolveDataset, checkFile,
} from './catalog.mjs';
export {
  planFile, wideFile, generateChunks, createFileStream, describeFile, measureFile, sha256, fileSha256,
} from './files.mjs';
