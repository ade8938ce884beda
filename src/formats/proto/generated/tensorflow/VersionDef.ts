// Original file: tensorflow/core/framework/versions.proto


export interface VersionDef {
  'producer'?: (number);
  'min_consumer'?: (number);
  'bad_consumers'?: (number)[];
}

export interface VersionDef__Output {
  'producer'?: (number);
  'min_consumer'?: (number);
  'bad_consumers': (number)[];
}
