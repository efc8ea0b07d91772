/**
 * An error a simulated AWS API answers with. Services throw it; the protocol layer writes it the way that service's
 * wire protocol does (XML ErrorResponse, JSON __type, or restJson x-amzn-errortype).
 */
export class ApiError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status = 400,
    /** Extra members of the modelled error shape (e.g. Organizations' Reason). */
    public readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Protocol = 'query' | 'json' | 'rest-json';
