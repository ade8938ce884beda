// Original file: tensorflow/core/protobuf/saver.proto


// Original file: tensorflow/core/protobuf/saver.proto

export const _tensorflow_SaverDef_CheckpointFormatVersion = {
  LEGACY: 'LEGACY',
  V1: 'V1',
  V2: 'V2',
} as const;

export type _tensorflow_SaverDef_CheckpointFormatVersion =
  | 'LEGACY'
  | 0
  | 'V1'
  | 1
  | 'V2'
  | 2

export type _tensorflow_SaverDef_CheckpointFormatVersion__Output = typeof _tensorflow_SaverDef_CheckpointFormatVersion[keyof typeof _tensorflow_SaverDef_CheckpointFormatVersion]

export interface SaverDef {
  'filename_tensor_name'?: (string);
  'save_tensor_name'?: (string);
  'restore_op_name'?: (string);
  'max_to_keep'?: (number);
  'sharded'?: (boolean);
  'keep_checkpoint_every_n_hours'?: (number | string);
  'version'?: (_tensorflow_SaverDef_CheckpointFormatVersion);
}

export interface SaverDef__Output {
  'filename_tensor_name'?: (string);
  'save_tensor_name'?: (string);
  'restore_op_name'?: (string);
  'max_to_keep'?: (number);
  'sharded'?: (boolean);
  'keep_checkpoint_every_n_hours'?: (number);
  'version'?: (_tensorflow_SaverDef_CheckpointFormatVersion__Output);
}
