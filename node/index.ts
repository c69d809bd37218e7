export { NodeAgent, type NodeAgentConfig, type AgentOutcome, type DeployPolicy, type ModelDeployer } from './node-agent.js';
export { CoordinatorClient, type AggregateDownload } from './coordinator-client.js';
export { KeyCustody, bundleAad, encodeBundle, decodeBundle, type KeyBundle, type SealKeyPair } from './key-custody.js';
export { NodeStore, type ModelVersionRow } from './store/node-store.js';
export { CkksCodec, PlainCodec, type UpdateCodec } from './update-codec.js';
export { runNodeCli, NODE_USAGE } from './cli.js';
export * from './training/index.js';
