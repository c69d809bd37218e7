// Original file: protos/fedrisk/training/v1/training.proto


export interface GetPlanRequest {
  'consortiumId'?: (string);
  'memberId'?: (string);
}

export interface GetPlanRequest__Output {
  'consortiumId': (string);
  'memberId': (string);
}
