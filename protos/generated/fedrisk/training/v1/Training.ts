// Original file: protos/fedrisk/training/v1/training.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AggregateChunk as _fedrisk_training_v1_AggregateChunk, AggregateChunk__Output as _fedrisk_training_v1_AggregateChunk__Output } from '../../../fedrisk/training/v1/AggregateChunk';
import type { FetchAggregateRequest as _fedrisk_training_v1_FetchAggregateRequest, FetchAggregateRequest__Output as _fedrisk_training_v1_FetchAggregateRequest__Output } from '../../../fedrisk/training/v1/FetchAggregateRequest';
import type { GetPlanRequest as _fedrisk_training_v1_GetPlanRequest, GetPlanRequest__Output as _fedrisk_training_v1_GetPlanRequest__Output } from '../../../fedrisk/training/v1/GetPlanRequest';
import type { ReportMetricsRequest as _fedrisk_training_v1_ReportMetricsRequest, ReportMetricsRequest__Output as _fedrisk_training_v1_ReportMetricsRequest__Output } from '../../../fedrisk/training/v1/ReportMetricsRequest';
import type { ReportMetricsResponse as _fedrisk_training_v1_ReportMetricsResponse, ReportMetricsResponse__Output as _fedrisk_training_v1_ReportMetricsResponse__Output } from '../../../fedrisk/training/v1/ReportMetricsResponse';
import type { RoundPlan as _fedrisk_training_v1_RoundPlan, RoundPlan__Output as _fedrisk_training_v1_RoundPlan__Output } from '../../../fedrisk/training/v1/RoundPlan';
import type { SubmitUpdateResponse as _fedrisk_training_v1_SubmitUpdateResponse, SubmitUpdateResponse__Output as _fedrisk_training_v1_SubmitUpdateResponse__Output } from '../../../fedrisk/training/v1/SubmitUpdateResponse';
import type { UpdateChunk as _fedrisk_training_v1_UpdateChunk, UpdateChunk__Output as _fedrisk_training_v1_UpdateChunk__Output } from '../../../fedrisk/training/v1/UpdateChunk';

export interface TrainingClient extends grpc.Client {
  /**
   * Server stream: one header, then the aggregate's bytes in chunks. Only for a released round.
   */
  FetchAggregate(argument: _fedrisk_training_v1_FetchAggregateRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_fedrisk_training_v1_AggregateChunk__Output>;
  FetchAggregate(argument: _fedrisk_training_v1_FetchAggregateRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_fedrisk_training_v1_AggregateChunk__Output>;
  /**
   * Server stream: one header, then the aggregate's bytes in chunks. Only for a released round.
   */
  fetchAggregate(argument: _fedrisk_training_v1_FetchAggregateRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_fedrisk_training_v1_AggregateChunk__Output>;
  fetchAggregate(argument: _fedrisk_training_v1_FetchAggregateRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_fedrisk_training_v1_AggregateChunk__Output>;
  
  /**
   * What this member should do now: the job's phase, the open round and its limits.
   */
  GetPlan(argument: _fedrisk_training_v1_GetPlanRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_training_v1_RoundPlan__Output>): grpc.ClientUnaryCall;
  GetPlan(argument: _fedrisk_training_v1_GetPlanRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_fedrisk_training_v1_RoundPlan__Output>): grpc.ClientUnaryCall;
  GetPlan(argument: _fedrisk_training_v1_GetPlanRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_training_v1_RoundPlan__Output>): grpc.ClientUnaryCall;
  GetPlan(argument: _fedrisk_training_v1_GetPlanRequest, callback: grpc.requestCallback<_fedrisk_training_v1_RoundPlan__Output>): grpc.ClientUnaryCall;
  /**
   * What this member should do now: the job's phase, the open round and its limits.
   */
  getPlan(argument: _fedrisk_training_v1_GetPlanRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_training_v1_RoundPlan__Output>): grpc.ClientUnaryCall;
  getPlan(argument: _fedrisk_training_v1_GetPlanRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_fedrisk_training_v1_RoundPlan__Output>): grpc.ClientUnaryCall;
  getPlan(argument: _fedrisk_training_v1_GetPlanRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_training_v1_RoundPlan__Output>): grpc.ClientUnaryCall;
  getPlan(argument: _fedrisk_training_v1_GetPlanRequest, callback: grpc.requestCallback<_fedrisk_training_v1_RoundPlan__Output>): grpc.ClientUnaryCall;
  
  /**
   * Hold-out metrics of a global model version, as measured by a member on its own data (no data leaves).
   */
  ReportMetrics(argument: _fedrisk_training_v1_ReportMetricsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_training_v1_ReportMetricsResponse__Output>): grpc.ClientUnaryCall;
  ReportMetrics(argument: _fedrisk_training_v1_ReportMetricsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_fedrisk_training_v1_ReportMetricsResponse__Output>): grpc.ClientUnaryCall;
  ReportMetrics(argument: _fedrisk_training_v1_ReportMetricsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_training_v1_ReportMetricsResponse__Output>): grpc.ClientUnaryCall;
  ReportMetrics(argument: _fedrisk_training_v1_ReportMetricsRequest, callback: grpc.requestCallback<_fedrisk_training_v1_ReportMetricsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Hold-out metrics of a global model version, as measured by a member on its own data (no data leaves).
   */
  reportMetrics(argument: _fedrisk_training_v1_ReportMetricsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_training_v1_ReportMetricsResponse__Output>): grpc.ClientUnaryCall;
  reportMetrics(argument: _fedrisk_training_v1_ReportMetricsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_fedrisk_training_v1_ReportMetricsResponse__Output>): grpc.ClientUnaryCall;
  reportMetrics(argument: _fedrisk_training_v1_ReportMetricsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_training_v1_ReportMetricsResponse__Output>): grpc.ClientUnaryCall;
  reportMetrics(argument: _fedrisk_training_v1_ReportMetricsRequest, callback: grpc.requestCallback<_fedrisk_training_v1_ReportMetricsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Client stream: one header, then the ciphertext bytes in chunks. Refused past the plan's max_update_bytes.
   */
  SubmitUpdate(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_training_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_fedrisk_training_v1_UpdateChunk>;
  SubmitUpdate(metadata: grpc.Metadata, callback: grpc.requestCallback<_fedrisk_training_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_fedrisk_training_v1_UpdateChunk>;
  SubmitUpdate(options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_training_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_fedrisk_training_v1_UpdateChunk>;
  SubmitUpdate(callback: grpc.requestCallback<_fedrisk_training_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_fedrisk_training_v1_UpdateChunk>;
  /**
   * Client stream: one header, then the ciphertext bytes in chunks. Refused past the plan's max_update_bytes.
   */
  submitUpdate(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_training_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_fedrisk_training_v1_UpdateChunk>;
  submitUpdate(metadata: grpc.Metadata, callback: grpc.requestCallback<_fedrisk_training_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_fedrisk_training_v1_UpdateChunk>;
  submitUpdate(options: grpc.CallOptions, callback: grpc.requestCallback<_fedrisk_training_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_fedrisk_training_v1_UpdateChunk>;
  submitUpdate(callback: grpc.requestCallback<_fedrisk_training_v1_SubmitUpdateResponse__Output>): grpc.ClientWritableStream<_fedrisk_training_v1_UpdateChunk>;
  
}

export interface TrainingHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Server stream: one header, then the aggregate's bytes in chunks. Only for a released round.
   */
  FetchAggregate: grpc.handleServerStreamingCall<_fedrisk_training_v1_FetchAggregateRequest__Output, _fedrisk_training_v1_AggregateChunk>;
  
  /**
   * What this member should do now: the job's phase, the open round and its limits.
   */
  GetPlan: grpc.handleUnaryCall<_fedrisk_training_v1_GetPlanRequest__Output, _fedrisk_training_v1_RoundPlan>;
  
  /**
   * Hold-out metrics of a global model version, as measured by a member on its own data (no data leaves).
   */
  ReportMetrics: grpc.handleUnaryCall<_fedrisk_training_v1_ReportMetricsRequest__Output, _fedrisk_training_v1_ReportMetricsResponse>;
  
  /**
   * Client stream: one header, then the ciphertext bytes in chunks. Refused past the plan's max_update_bytes.
   */
  SubmitUpdate: grpc.handleClientStreamingCall<_fedrisk_training_v1_UpdateChunk__Output, _fedrisk_training_v1_SubmitUpdateResponse>;
  
}

export interface TrainingDefinition extends grpc.ServiceDefinition {
  FetchAggregate: MethodDefinition<_fedrisk_training_v1_FetchAggregateRequest, _fedrisk_training_v1_AggregateChunk, _fedrisk_training_v1_FetchAggregateRequest__Output, _fedrisk_training_v1_AggregateChunk__Output>
  GetPlan: MethodDefinition<_fedrisk_training_v1_GetPlanRequest, _fedrisk_training_v1_RoundPlan, _fedrisk_training_v1_GetPlanRequest__Output, _fedrisk_training_v1_RoundPlan__Output>
  ReportMetrics: MethodDefinition<_fedrisk_training_v1_ReportMetricsRequest, _fedrisk_training_v1_ReportMetricsResponse, _fedrisk_training_v1_ReportMetricsRequest__Output, _fedrisk_training_v1_ReportMetricsResponse__Output>
  SubmitUpdate: MethodDefinition<_fedrisk_training_v1_UpdateChunk, _fedrisk_training_v1_SubmitUpdateResponse, _fedrisk_training_v1_UpdateChunk__Output, _fedrisk_training_v1_SubmitUpdateResponse__Output>
}
