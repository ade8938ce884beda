// Original file: tensorflow_serving/apis/model.proto

import type { Int64Value as _google_protobuf_Int64Value, Int64Value__Output as _google_protobuf_Int64Value__Output } from '../../google/protobuf/Int64Value.ts';

export interface ModelSpec {
  'name'?: (string);
  'version'?: (_google_protobuf_Int64Value | null);
  'signature_name'?: (string);
  'version_label'?: (string);
  'version_choice'?: "version"|"version_label";
}

export interface ModelSpec__Output {
  'name'?: (string);
  'version'?: (_google_protobuf_Int64Value__Output);
  'signature_name'?: (string);
  'version_label'?: (string);
  'version_choice'?: "version"|"version_label";
}
