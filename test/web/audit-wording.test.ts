import { describe, expect, test } from 'bun:test'
import { accessorWords, actionWords, outcomeWords, reasonWords } from '../../web/src/audit-wording.ts'

describe('audit wording', () => {
  test('actions and outcomes in words', () => {
    const table: Array<[string, string, string]> = [
      ['create', 'ok', 'Created'],
      ['create', 'error', 'Created (failed)'],
      ['replace', 'ok', 'Value replaced'],
      ['read', 'ok', 'Value read'],
      ['read', 'error', 'Read failed: could not decrypt'],
      ['read', 'denied', 'Read refused: not granted'],
      ['rotate', 'ok', 'Re-encrypted under the current key'],
      ['delete', 'ok', 'Deleted'],
      ['authenticate', 'denied', 'Client token refused'],
      ['something-new', 'ok', 'something-new'],
    ]
    for (const [action, outcome, words] of table) expect(actionWords({ action: action as never, outcome: outcome as never })).toBe(words)
    expect(['ok', 'error', 'denied', 'odd'].map(outcomeWords)).toEqual(['Succeeded', 'Failed', 'Refused', 'odd'])
  })

  test('accessors in words', () => {
    expect(accessorWords('operator:alice')).toBe('operator alice')
    expect(accessorWords('client:mcp-github')).toBe('client mcp-github')
    expect(accessorWords('cli:root')).toBe('command line, user root')
    expect(accessorWords('cli:uid:1001')).toBe('command line, uid 1001')
    expect(accessorWords('render:ci')).toBe('render:ci')
  })

  test('reasons the server writes become words, the raw text kept; a caller\'s own reason is shown as written', () => {
    expect(reasonWords('http POST /secrets/A/rotate')).toEqual({ text: 'in the web console or over the HTTP API', raw: 'http POST /secrets/A/rotate' })
    expect(reasonWords('http DELETE /secrets/A').text).toBe('in the web console or over the HTTP API')
    expect(reasonWords('secrets rotate')).toEqual({ text: 'on the command line (secrets rotate)', raw: 'secrets rotate' })
    expect(reasonWords('token refused: revoked')).toEqual({ text: 'token refused: revoked token', raw: 'token refused: revoked' })
    expect(reasonWords('render mcp.json')).toEqual({ text: 'render mcp.json' })
    expect(reasonWords('http is great')).toEqual({ text: 'http is great' })
    expect(reasonWords(null)).toEqual({ text: '—' })
  })
})
