export { runSimulation, type SimulationOptions, type SimulationResult } from './simulate.js';
export { formatReport, type SimulationReport, type NodeReport } from './simulation-report.js';
export { runSimulateCli, SIMULATE_USAGE } from './cli.js';
export { partitionRows, subsetDataset, trainTestSplit, type PartitionSpec, type Partition } from './partition.js';
export { ChildProcessGroup, FEDRISK_BIN } from './child-process-group.js';
export { trainAlone, aucOn } from './baselines.js';
