/** Model-quality figures that nodes compute on their own hold-out and report after each round. */
export { auc, ksStatistic } from './metrics.js';
