/**
 * AES-256-GCM known-answer tests with additional data.
 *
 * Sources:
 * - NIST CAVP GCM test vectors, gcmDecrypt256.rsp, section
 *   [Keylen = 256] [IVlen = 96] [PTlen = 128] [AADlen = 128] [Taglen = 128]
 *   (https://csrc.nist.gov/Projects/Cryptographic-Algorithm-Validation-Program/CAVP-TESTING-BLOCK-CIPHER-MODES#GCMVS,
 *   gcmtestvectors.zip). Counts 0, 1, 3, 5 decrypt; counts 2, 4, 6 are marked FAIL there.
 * - McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test case 16
 *   (256-bit key, 60-byte plaintext, 20-byte additional data).
 */
import { describe, expect, test } from 'bun:test'
import { gcmOpen, gcmSeal } from '../../src/crypto/aes-gcm.ts'
import { DecryptError } from '../../src/errors.ts'
import { hex } from '../helpers/keys.ts'

interface Vector {
  source: string
  key: string
  iv: string
  aad: string
  pt: string
  ct: string
  tag: string
}

const PASS: Vector[] = [
  {
    source: 'CAVP gcmDecrypt256 count 0',
    key: '54e352ea1d84bfe64a1011096111fbe7668ad2203d902a01458c3bbd85bfce14',
    iv: 'df7c3bca00396d0c018495d9',
    aad: '7e968d71b50c1f11fd001f3fef49d045',
    pt: '85fc3dfad9b5a8d3258e4fc44571bd3b',
    ct: '426e0efc693b7be1f3018db7ddbb7e4d',
    tag: 'ee8257795be6a1164d7e1d2d6cac77a7',
  },
  {
    source: 'CAVP gcmDecrypt256 count 1',
    key: '82f0d1ddc58123f805541f55a7eab43f56ddfefc06c73d57709df3d5a4aabfb3',
    iv: '0c9d74af29ed4406c77a8e4b',
    aad: '34325620a392739beeee6c370967d539',
    pt: '3fe7811a8224a1881da34a27e03da86a',
    ct: 'c61155d41495e9fc76060fe7f8c926a2',
    tag: '66d8c881d66370504d2bf00cdb06259e',
  },
  {
    source: 'CAVP gcmDecrypt256 count 3',
    key: '562a865ddc042577284b34b6cd267aa3e9adedf6b8a9e2490d5519eaea3daccc',
    iv: 'f20e5db286f3ee11835a5103',
    aad: 'c638e57814cd44f8af9730208f5464d5',
    pt: '7e59320cc09d1ccfb49f7c90e81326dc',
    ct: 'ae62b52018c253be2463ff235cd3ff1d',
    tag: '6e481954d30c503ce6d448fda4116578',
  },
  {
    source: 'CAVP gcmDecrypt256 count 5',
    key: 'b919ab155fc93ad5f3bac0e9706999031a3175356b070bd45fa6dbe7099126d0',
    iv: 'e65d8f9f6b67d5b333191044',
    aad: 'b04f3b04764aa3208165e8374faea266',
    pt: '0c5b45bf8168b2cd8069702624c68dc5',
    ct: '3da7bfdbe0fc98a1b657f70b2c046f46',
    tag: 'd9bfbcb1a1027b0d5dbe9e0accf587b5',
  },
  {
    source: 'McGrew-Viega test case 16',
    key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308',
    iv: 'cafebabefacedbaddecaf888',
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    pt: 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    ct: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
]

const FAIL: Omit<Vector, 'pt'>[] = [
  {
    source: 'CAVP gcmDecrypt256 count 2 (FAIL)',
    key: '9a0343f850a6427120f764789ffec6d237447b898fbf51d2182f065d3861497d',
    iv: '3deef6f453dd70d92143adcd',
    aad: 'dbb8226a624520863db6897017b2a4f8',
    ct: 'e93165935ac18e3a2845d15fe31a9286',
    tag: 'f5fc50d18766bc3d9e16dd136d45816b',
  },
  {
    source: 'CAVP gcmDecrypt256 count 4 (FAIL)',
    key: '2a765ceac97265c15209eea90bea85cd9586b972160502ff592a306dc017e6b9',
    iv: '62c545d9d4e3c7acb66b4bf1',
    aad: '7d12474e23dc233bc6312d4d5b2deee4',
    ct: 'ae0594a7b66d3a958e4e6212d3288f91',
    tag: 'ec9aa846d185cc0f43d392240cd6e2c4',
  },
  {
    source: 'CAVP gcmDecrypt256 count 6 (FAIL)',
    key: '2b44f83492c05b784b6d9405c64a0530eb9ac7fcd6d5d1f0e3d4ab015a07398b',
    iv: '88c16315108517124ba3b280',
    aad: 'af6406f8222a287ef1086a264929dfc5',
    ct: 'a0df8e1083853d740e80dd77e3a78d10',
    tag: '08d0184cb2cbec32ebbebb30fb253e74',
  },
]

const importKey = (k: string) => crypto.subtle.importKey('raw', hex(k), 'AES-GCM', false, ['encrypt', 'decrypt'])

describe('gcmSeal / gcmOpen against known answers', () => {
  for (const v of PASS) {
    test(`${v.source}: seals to the published ciphertext and tag`, async () => {
      const { ciphertext, tag } = await gcmSeal(await importKey(v.key), hex(v.iv), hex(v.aad), hex(v.pt))
      expect(ciphertext).toEqual(hex(v.ct))
      expect(tag).toEqual(hex(v.tag))
    })
    test(`${v.source}: opens the published ciphertext to the plaintext`, async () => {
      const plain = await gcmOpen(await importKey(v.key), hex(v.iv), hex(v.aad), hex(v.ct), hex(v.tag))
      expect(plain).toEqual(hex(v.pt))
    })
  }
  for (const v of FAIL) {
    test(`${v.source}: is refused`, async () => {
      const open = gcmOpen(await importKey(v.key), hex(v.iv), hex(v.aad), hex(v.ct), hex(v.tag))
      await expect(open).rejects.toBeInstanceOf(DecryptError)
    })
  }
})
