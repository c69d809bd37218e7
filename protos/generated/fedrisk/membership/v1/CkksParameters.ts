// Original file: protos/fedrisk/membership/v1/membership.proto


export interface CkksParameters {
  'polyModulusDegree'?: (number);
  'coeffModulusBits'?: (number)[];
  'scaleBits'?: (number);
}

export interface CkksParameters__Output {
  'polyModulusDegree': (number);
  'coeffModulusBits': (number)[];
  'scaleBits': (number);
}
