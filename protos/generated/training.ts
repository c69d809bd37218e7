import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AggregateChunk as _fedrisk_training_v1_AggregateChunk, AggregateChunk__Output as _fedrisk_training_v1_AggregateChunk__Output } from './fedrisk/training/v1/AggregateChunk';
import type { AggregateHeader as _fedrisk_training_v1_AggregateHeader, AggregateHeader__Output as _fedrisk_training_v1_AggregateHeader__Output } from './fedrisk/training/v1/AggregateHeader';
import type { FetchAggregateRequest as _fedrisk_training_v1_FetchAggregateRequest, FetchAggregateRequest__Output as _fedrisk_training_v1_FetchAggregateRequest__Output } from './fedrisk/training/v1/FetchAggregateRequest';
import type { GetPlanRequest as _fedrisk_training_v1_GetPlanRequest, GetPlanRequest__Output as _fedrisk_training_v1_GetPlanRequest__Output } from './fedrisk/training/v1/GetPlanRequest';
import type { Metric as _fedrisk_training_v1_Metric, Metric__Output as _fedrisk_training_v1_Metric__Output } from './fedrisk/training/v1/Metric';
import type { Participant as _fedrisk_training_v1_Participant, Participant__Output as _fedrisk_training_v1_Participant__Output } from './fedrisk/training/v1/Participant';
import type { ReportMetricsRequest as _fedrisk_training_v1_ReportMetricsRequest, ReportMetricsRequest__Output as _fedrisk_training_v1_ReportMetricsRequest__Output } from './fedrisk/training/v1/ReportMetricsRequest';
import type { ReportMetricsResponse as _fedrisk_training_v1_ReportMetricsResponse, ReportMetricsResponse__Output as _fedrisk_training_v1_ReportMetricsResponse__Output } from './fedrisk/training/v1/ReportMetricsResponse';
import type { RoundPlan as _fedrisk_training_v1_RoundPlan, RoundPlan__Output as _fedrisk_training_v1_RoundPlan__Output } from './fedrisk/training/v1/RoundPlan';
import type { RoundRef as _fedrisk_training_v1_RoundRef, RoundRef__Output as _fedrisk_training_v1_RoundRef__Output } from './fedrisk/training/v1/RoundRef';
import type { SubmitUpdateResponse as _fedrisk_training_v1_SubmitUpdateResponse, SubmitUpdateResponse__Output as _fedrisk_training_v1_SubmitUpdateResponse__Output } from './fedrisk/training/v1/SubmitUpdateResponse';
import type { TrainingClient as _fedrisk_training_v1_TrainingClient, TrainingDefinition as _fedrisk_training_v1_TrainingDefinition } from './fedrisk/training/v1/Training';
import type { UpdateChunk as _fedrisk_training_v1_UpdateChunk, UpdateChunk__Output as _fedrisk_training_v1_UpdateChunk__Output } from './fedrisk/training/v1/UpdateChunk';
import type { UpdateHeader as _fedrisk_training_v1_UpdateHeader, UpdateHeader__Output as _fedrisk_training_v1_UpdateHeader__Output } from './fedrisk/training/v1/UpdateHeader';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  fedrisk: {
    training: {
      v1: {
        AggregateChunk: MessageTypeDefinition<_fedrisk_training_v1_AggregateChunk, _fedrisk_training_v1_AggregateChunk__Output>
        AggregateHeader: MessageTypeDefinition<_fedrisk_training_v1_AggregateHeader, _fedrisk_training_v1_AggregateHeader__Output>
        FetchAggregateRequest: MessageTypeDefinition<_fedrisk_training_v1_FetchAggregateRequest, _fedrisk_training_v1_FetchAggregateRequest__Output>
        GetPlanRequest: MessageTypeDefinition<_fedrisk_training_v1_GetPlanRequest, _fedrisk_training_v1_GetPlanRequest__Output>
        JobPhase: EnumTypeDefinition
        Metric: MessageTypeDefinition<_fedrisk_training_v1_Metric, _fedrisk_training_v1_Metric__Output>
        Participant: MessageTypeDefinition<_fedrisk_training_v1_Participant, _fedrisk_training_v1_Participant__Output>
        ReportMetricsRequest: MessageTypeDefinition<_fedrisk_training_v1_ReportMetricsRequest, _fedrisk_training_v1_ReportMetricsRequest__Output>
        ReportMetricsResponse: MessageTypeDefinition<_fedrisk_training_v1_ReportMetricsResponse, _fedrisk_training_v1_ReportMetricsResponse__Output>
        RoundKind: EnumTypeDefinition
        RoundPlan: MessageTypeDefinition<_fedrisk_training_v1_RoundPlan, _fedrisk_training_v1_RoundPlan__Output>
        RoundRef: MessageTypeDefinition<_fedrisk_training_v1_RoundRef, _fedrisk_training_v1_RoundRef__Output>
        SubmitUpdateResponse: MessageTypeDefinition<_fedrisk_training_v1_SubmitUpdateResponse, _fedrisk_training_v1_SubmitUpdateResponse__Output>
        Training: SubtypeConstructor<typeof grpc.Client, _fedrisk_training_v1_TrainingClient> & { service: _fedrisk_training_v1_TrainingDefinition }
        UpdateChunk: MessageTypeDefinition<_fedrisk_training_v1_UpdateChunk, _fedrisk_training_v1_UpdateChunk__Output>
        UpdateHeader: MessageTypeDefinition<_fedrisk_training_v1_UpdateHeader, _fedrisk_training_v1_UpdateHeader__Output>
      }
    }
  }
}

