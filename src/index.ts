export { default, default as qualtrics } from './destinations/qualtrics'
export { destinations } from './destinations'
