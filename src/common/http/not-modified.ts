/**
 * The client's copy is current (`If-None-Match` matched): the problem filter answers `304` with
 * the validator and no body. Thrown rather than returned because Nest sets a GET's status to 200
 * after its interceptors; a filter answers on its own.
 */
export class NotModified extends Error {
  constructor(readonly etag: string) {
    super('Not modified');
  }
}
