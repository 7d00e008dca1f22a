// class-transformer ships no types for its metadata storage, which class-validator-jsonschema
// needs to follow @Type() into nested DTOs.
declare module 'class-transformer/cjs/storage' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';
  export const defaultMetadataStorage: MetadataStorage;
}
