import qualtrics from './qualtrics'

/** Slug → definition, as the monorepo's manifest maps them. */
export const destinations: Record<string, typeof qualtrics> = {
  [qualtrics.slug as string]: qualtrics
}
