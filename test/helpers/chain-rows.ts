/** Rows of every chain encoding (chain.ts: 1 plain, 2 with a label, 3 a client's, 4 a mutation's), for the link tests. */
export const CHAIN_TEST_ROWS = [
  { id: 1, secret_name: 'A', action: 'read', accessor: 'cli:x', reason: 'r', outcome: 'ok', at: '2026-01-01T00:00:00.000Z', chain_key_id: 'k1' },
  { id: 2, secret_name: 'B', action: 'read', accessor: 'cli:x', reason: 'r', outcome: 'ok', at: '2026-01-01T00:00:00.000Z', chain_key_id: 'k1', label: 'ci' },
  { id: 3, secret_name: 'C', action: 'read', accessor: 'client:m', reason: 'é ✓', outcome: 'denied', at: '2026-01-01T00:00:00.000Z', chain_key_id: 'k1', token_id: 't', client_address: '::1' },
  { id: 4, secret_name: 'D', action: 'update', accessor: 'operator:o', reason: 'r', outcome: 'ok', at: '2026-01-01T00:00:00.000Z', chain_key_id: 'k1', version: 3, ciphertext_sha256: 'ab'.repeat(32) },
]
