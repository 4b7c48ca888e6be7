/** A Qualtrics-shaped failure: the server turns it into `{meta: {httpStatus, requestId, error}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string
  ) {
    super(message)
  }
}

export function badRequest(message: string, errorCode = 'SANDBOX_VALIDATION'): ApiError {
  return new ApiError(400, errorCode, message)
}

export function notFound(message: string): ApiError {
  return new ApiError(404, 'SANDBOX_NOT_FOUND', message)
}
