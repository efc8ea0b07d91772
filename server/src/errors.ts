/** An error whose status and message are safe to show to the caller. */
export class HttpError extends Error {
  constructor(
    public readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (m: string) => new HttpError(400, m);
export const notFound = (what = 'not found') => new HttpError(404, what);
export const forbidden = (m = 'you are not allowed to do this') => new HttpError(403, m);
export const conflict = (m: string) => new HttpError(409, m);

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  423: 'Locked',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export const errorBody = (status: number, message: string) => ({
  error: REASONS[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request'),
  message,
});
