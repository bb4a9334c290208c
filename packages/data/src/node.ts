// The Node-only part of @dlfs/data: reading CSV files from disk, and writing files atomically. The main entry stays usable in browsers.
export { loadCsv, type CsvDataset, type CsvParserChoice, type LoadCsvOptions, type LoadProgress } from './load-csv.js';
export { AtomicFile, writeFileAtomic, writeFilesAtomically } from './atomic-file.js';
