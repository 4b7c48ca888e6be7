import {
  MIN_SEARCHED_SECRET_LENGTH,
  REDACTED,
  Redactor,
  redactSecret,
  redactText,
  redactValue
} from '../../src/destinations/qualtrics/client'

// The one redaction rule (src/destinations/qualtrics/client/redaction.ts), which the client and the server share.
const TOKEN = 'qtok-SECRET-0123456789abcdef'

describe('redactValue', () => {
  it('replaces the secret inside strings at any depth, in objects and nested arrays', () => {
    const value = {
      message: `bad token ${TOKEN}`,
      list: [[`a${TOKEN}b`, 1, null, true], [{ deep: [TOKEN] }]],
      untouched: 'nothing secret'
    }
    expect(redactValue(value, [TOKEN])).toEqual({
      message: `bad token ${REDACTED}`,
      list: [[`a${REDACTED}b`, 1, null, true], [{ deep: [REDACTED] }]],
      untouched: 'nothing secret'
    })
  })

  it('replaces the secret inside keys', () => {
    const value = { [TOKEN]: 1, nested: { [`key-${TOKEN}`]: [{ [TOKEN]: TOKEN }] } }
    const out = redactValue(value, [TOKEN])
    expect(out).toEqual({ [REDACTED]: 1, nested: { [`key-${REDACTED}`]: [{ [REDACTED]: REDACTED }] } })
    expect(JSON.stringify(out)).not.toContain(TOKEN)
  })

  it('does not change the input, and leaves numbers, booleans and null as they are', () => {
    const value = { a: TOKEN, n: 1.5, b: false, z: null }
    const copy = structuredClone(value)
    expect(redactValue(value, [TOKEN])).toEqual({ a: REDACTED, n: 1.5, b: false, z: null })
    expect(value).toEqual(copy)
  })

  it('keeps "__proto__" a plain key', () => {
    const value = JSON.parse(`{"__proto__": {"polluted": "${TOKEN}"}}`)
    const out = redactValue(value, [TOKEN]) as Record<string, unknown>
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: REDACTED })
  })

  it('replaces every secret given, the longest first, so one inside another is not left half-shown', () => {
    const inner = TOKEN.slice(0, 12)
    expect(redactValue([`x${TOKEN}y`, `x${inner}y`], [inner, TOKEN, undefined, 42])).toEqual([
      `x${REDACTED}y`,
      `x${REDACTED}y`
    ])
  })

  it.each([':', '"', '\\', '{', ',', '":"', 'null', '\\"}'])(
    'with a short secret (%j), replaces only values and keys that are exactly it, and never breaks the data',
    (secret) => {
      const value = { url: 'https://iad1.qualtrics.com/a:b', [secret]: secret, text: `a${secret}b`, list: [secret] }
      const out = redactValue(value, [secret]) as Record<string, unknown>
      expect(out).toEqual({
        url: 'https://iad1.qualtrics.com/a:b',
        [REDACTED]: REDACTED,
        text: `a${secret}b`,
        list: [REDACTED]
      })
      expect(JSON.parse(JSON.stringify(out))).toEqual(out)
    }
  )

  it('with a long secret made of JSON punctuation, keeps the structure intact', () => {
    // In the JSON text {"a":"1","b":"2"} this secret spans two members: replacing it there breaks the text.
    const secret = '"1","b":"'
    const value = { a: '1', b: '2', c: `x${secret}y`, [secret]: [secret] }
    expect(redactValue(value, [secret])).toEqual({ a: '1', b: '2', c: `x${REDACTED}y`, [REDACTED]: [REDACTED] })
  })

  it('with no secret (or only empty ones), returns the value as it is', () => {
    const value = { a: 'text' }
    expect(redactValue(value, [])).toBe(value)
    expect(redactValue(value, [''])).toBe(value)
  })
})

describe('redactText (log lines, messages) and redactSecret (the client)', () => {
  it('replaces a secret of at least MIN_SEARCHED_SECRET_LENGTH characters wherever it appears', () => {
    expect(MIN_SEARCHED_SECRET_LENGTH).toBe(8)
    expect(redactText(`POST /x?t=${TOKEN} 200 ${TOKEN}`, [TOKEN])).toBe(`POST /x?t=${REDACTED} 200 ${REDACTED}`)
    expect(redactText('a 12345678 b', ['12345678'])).toBe(`a ${REDACTED} b`)
  })

  it.each([':', '"', '\\', 'a', '1234567'])(
    'does not search for a short secret (%j): the line stays readable',
    (secret) => {
      const line = 'POST /authenticate 200 12ms at https://a:b/1234567'
      expect(redactText(line, [secret])).toBe(line)
      expect(redactSecret(line, secret)).toBe(line)
    }
  )

  it('redacts an error message in place and keeps the error', () => {
    const error = new Error(`bad token ${TOKEN}`)
    expect(redactSecret(error, TOKEN)).toBe(error)
    expect(error.message).toBe(`bad token ${REDACTED}`)
  })
})

describe("Redactor (one client's secrets)", () => {
  const OTHER = 'qtok-OTHER-9876543210fedcba'

  it('redacts only its own secrets: two clients of one process do not share them', () => {
    const a = new Redactor([TOKEN])
    const b = new Redactor([OTHER])
    const text = `${TOKEN} and ${OTHER}`
    expect(a.text(text)).toBe(`${REDACTED} and ${OTHER}`)
    expect(b.text(text)).toBe(`${TOKEN} and ${REDACTED}`)
    expect(new Redactor().value({ [TOKEN]: OTHER })).toEqual({ [TOKEN]: OTHER })
  })

  it('learns secrets added later (an access token the client obtained), ignoring empty and non-text ones', () => {
    const redactor = new Redactor([undefined, '', 42])
    expect(redactor.text(`x ${TOKEN}`)).toBe(`x ${TOKEN}`)
    redactor.add(TOKEN, null)
    expect(redactor.value({ list: [`x ${TOKEN}`] })).toEqual({ list: [`x ${REDACTED}`] })
  })

  it("redacts an error's message and stack in place, and leaves what is not an error as it is", () => {
    const error = new Error(`bad token ${TOKEN}`)
    expect(new Redactor([TOKEN]).error(error)).toBe(error)
    expect(error.message).toBe(`bad token ${REDACTED}`)
    expect(error.stack).not.toContain(TOKEN)
    expect(new Redactor([TOKEN]).error(TOKEN)).toBe(TOKEN)
  })
})
