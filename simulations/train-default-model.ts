/**
 * `npm run model:default`: trains the decision service's bootstrap model, the one `fedrisk decision serve
 * --bootstrap` deploys when no model is registered yet, so a newcomer can try the API with one command. It is a
 * centralised logistic regression on the bundled credit_data (all rows, seed 42, the job defaults), written with its
 * schema and standardisation to decision/bootstrap/credit_data-default-model.json. The decision service only reads
 * that file: it needs no training code.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildJobSpec } from '../common/job-spec.js';
import { loadCsvDataset } from '../common/schema/index.js';
import { resolveSchema } from '../common/schema/resolve-schema.js';
import { MODEL_FORMAT, type LogisticModel } from '../common/model/logistic-model.js';
import { trainAlone, aucOn } from './baselines.js';

const OUT = fileURLToPath(new URL('../decision/bootstrap/credit_data-default-model.json', import.meta.url));

const { schema, csvPath } = resolveSchema({ dataset: 'credit_data' });
const data = loadCsvDataset(csvPath, schema);
const spec = buildJobSpec('bootstrap', schema, { seed: 42 });
const trained = await trainAlone(data, spec, 'bootstrap-default');
const model: LogisticModel = {
  format: MODEL_FORMAT,
  kind: 'logistic',
  version: 'credit_data-bootstrap-v1',
  schema,
  standardisation: trained.std,
  weights: trained.model.weights.map((w) => Number(w.toPrecision(9))),
  bias: Number(trained.model.bias.toPrecision(9)),
  createdAt: '2026-11-22T00:00:00.000Z',
  provenance: {
    source: 'simulations/train-default-model.ts',
    dataset: 'credit_data',
    rows: data.rows.length,
    federated: false,
    note: 'bootstrap model for trying the API; replace with a consortium model',
    trainingAuc: Number((aucOn(trained.model, trained.std, data) ?? 0).toFixed(4)),
  },
};
writeFileSync(OUT, JSON.stringify(model, null, 2) + '\n');
console.log(`wrote ${OUT} (training AUC ${model.provenance['trainingAuc']})`);
