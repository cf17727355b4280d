// Finds where a JSON text first goes wrong (offset, line, column) and what was expected there, for config file errors.

export interface JsonSyntaxError {
  offset: number
  line: number
  column: number
  /** What the grammar allowed at that offset, e.g. `"," or "}"`. */
  expected: string
  /** What was there: a quoted character, or `end of input`. */
  found: string
}

/**
 * V8's JSON.parse names a position for some errors only ("Unexpected token
 * '}', ... is not valid JSON" has none), so on a parse failure this small
 * recursive-descent scanner over the JSON grammar (RFC 8259) finds the first
 * offending offset itself. It runs only after JSON.parse failed.
 */
export function findJsonSyntaxError (text: string): JsonSyntaxError | undefined {
  let i = 0

  const fail = (expected: string): never => {
    throw new ScanError(i, expected)
  }
  const skipWhitespace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++
  }
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) fail(JSON.stringify(word))
      i++
    }
  }
  const digits = (): void => {
    if (!isDigit(text[i])) fail('a digit')
    while (isDigit(text[i])) i++
  }
  const number = (): void => {
    if (text[i] === '-') i++
    if (text[i] === '0') i++
    else digits()
    if (text[i] === '.') { i++; digits() }
    if (text[i] === 'e' || text[i] === 'E') {
      i++
      if (text[i] === '+' || text[i] === '-') i++
      digits()
    }
  }
  const string = (): void => {
    i++ // opening quote
    for (;;) {
      const ch = text[i]
      if (ch === undefined) fail('a closing \'"\'')
      if (ch === '"') { i++; return }
      if ((ch as string).charCodeAt(0) < 0x20) fail('an escaped control character')
      if (ch === '\\') {
        i++
        const esc = text[i]
        if (esc === 'u') {
          i++
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail('a hex digit')
            i++
          }
          continue
        }
        if (esc === undefined || !'"\\/bfnrt'.includes(esc)) fail('an escape (\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t, \\uXXXX)')
      }
      i++
    }
  }
  const value = (depth: number): void => {
    if (depth > MAX_SCAN_DEPTH) throw TOO_DEEP
    skipWhitespace()
    const ch = text[i]
    if (ch === '{') {
      i++
      skipWhitespace()
      if (text[i] === '}') { i++; return }
      for (;;) {
        skipWhitespace()
        if (text[i] !== '"') fail('a \'"\' starting a key')
        string()
        skipWhitespace()
        if (text[i] !== ':') fail('":"')
        i++
        value(depth + 1)
        skipWhitespace()
        if (text[i] === ',') { i++; continue }
        if (text[i] === '}') { i++; return }
        fail('"," or "}"')
      }
    } else if (ch === '[') {
      i++
      skipWhitespace()
      if (text[i] === ']') { i++; return }
      for (;;) {
        value(depth + 1)
        skipWhitespace()
        if (text[i] === ',') { i++; continue }
        if (text[i] === ']') { i++; return }
        fail('"," or "]"')
      }
    } else if (ch === '"') {
      string()
    } else if (ch === '-' || isDigit(ch)) {
      number()
    } else if (ch === 't') {
      literal('true')
    } else if (ch === 'f') {
      literal('false')
    } else if (ch === 'n') {
      literal('null')
    } else {
      fail('a value')
    }
  }

  try {
    value(0)
    skipWhitespace()
    if (i < text.length) fail('end of input')
    return undefined
  } catch (err) {
    if (err === TOO_DEEP) return undefined
    if (!(err instanceof ScanError)) throw err
    return locate(text, err.offset, err.expected)
  }
}

/**
 * Nesting the recursive scanner follows. A config is 4 levels deep; thousands of unclosed '['
 * would overflow the call stack (a RangeError instead of a ConfigError), so past this depth the
 * scanner gives up and the caller reports V8's message without a position.
 */
const MAX_SCAN_DEPTH = 256
const TOO_DEEP = Symbol('too deep')

class ScanError {
  readonly offset: number
  readonly expected: string

  constructor (offset: number, expected: string) {
    this.offset = offset
    this.expected = expected
  }
}

function isDigit (ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9'
}

function locate (text: string, offset: number, expected: string): JsonSyntaxError {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - before.lastIndexOf('\n')
  const ch = text[offset]
  return { offset, line, column, expected, found: ch === undefined ? 'end of input' : JSON.stringify(ch) }
}
