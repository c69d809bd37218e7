/**
 * The consortium feature schema and everything that turns a lender's rows into the feature vectors all nodes agree
 * on: CSV parsing, schema validation and inference, loading, encoding, the statistics round, request validation,
 * and the bundled data sets.
 */
export {
  SCHEMA_FORMAT,
  type CategoricalFeature,
  type Dataset,
  type Feature,
  type FeatureSchema,
  type LabelSpec,
  type NumericFeature,
  type RawRow,
  type RawValue,
  type Standardisation,
} from './feature-schema.js';
export { MISSING_CELL_TEXTS, isMissingCell, parseNumericCell } from './cell-values.js';
export { parseCsv, type ParseCsvOptions, type ParsedCsv } from './csv-parser.js';
export { MISSING_LEVEL_NAME, loadSchemaFile, parseSchema } from './validate-schema.js';
export { inferSchema, powerOfTenScale, type InferSchemaOptions } from './infer-schema.js';
export { loadCsvDataset, parseCsvDataset, type ParseDatasetOptions } from './load-dataset.js';
export { encodeRow, encodeRows, encodedNames, encodedWidth } from './feature-encoder.js';
export {
  STD_FLOOR,
  addStats,
  computeLocalStats,
  emptyStats,
  standardisationFromStats,
  statsToVector,
  statsVectorLength,
  vectorToStats,
  type FeatureStats,
  type NumericStats,
} from './feature-stats.js';
export { validateFeatures } from './validate-features.js';
export { bundledDatasetsDir, listBundledDatasets, loadDataset, resolveDataset, type ResolvedDataset } from './dataset-registry.js';
