// Original file: tensorflow/core/protobuf/checkpoint_state.proto


export interface CheckpointState {
  'model_checkpoint_path'?: (string);
  'all_model_checkpoint_paths'?: (string)[];
  'all_model_checkpoint_timestamps'?: (number | string)[];
  'last_preserved_timestamp'?: (number | string);
}

export interface CheckpointState__Output {
  'model_checkpoint_path'?: (string);
  'all_model_checkpoint_paths': (string)[];
  'all_model_checkpoint_timestamps': (number)[];
  'last_preserved_timestamp'?: (number);
}
