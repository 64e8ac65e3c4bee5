/**
 * Why a file named on the command line (IN, `--env-file`) could not be
 * read, in words: one wording for every command that names a path.
 */

const WORDS = new Map<unknown, string>(Object.entries({
  ENOENT: 'it does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
}))

/** The words for a system error code (`ENOENT`: "it does not exist"); the code itself for one without. */
export function fileProblem(code: unknown): string {
  return WORDS.get(code) ?? String(code ?? 'error')
}
