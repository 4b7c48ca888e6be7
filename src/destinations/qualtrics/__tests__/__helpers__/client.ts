import { createRequestClient } from '@segment/actions-core'
import { createState } from '../..'
import { QualtricsClient } from '../../client'
import { settings } from './qualtrics'

/** A client with the test settings on a state of its own (with a request timeout when given). */
export const client = (requestTimeoutMs?: number) =>
  new QualtricsClient(createRequestClient(), settings, createState({ requestTimeoutMs }))
