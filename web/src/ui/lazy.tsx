/**
 * A component whose code is fetched the first time it is shown (or when
 * `preload` asks): scripts/build-web.ts splits every dynamic `import()` into
 * a file of its own, so the first load of the console (the login and the
 * secrets list) stays within its size budget (docs/ui.md "Size"). What shows
 * while the file comes, and when it cannot be fetched (the server went
 * away, a deploy replaced the build), is the caller's: a page says it is
 * loading, a drawer shows nothing yet.
 */
import { signal } from '@preact/signals'
import type { ComponentType, VNode } from 'preact'

/** A lazily fetched component, and a way to start fetching it before it is needed. */
export interface Lazy<P> {
  (props: P): VNode | null
  /** starts the fetch (once; a failed one is tried again by the next call); settles when it is done */
  preload(): Promise<void>
}

/** What a {@link Lazy} shows before its code is there. */
export interface LazyStates<P> {
  loading: (props: P) => VNode | null
  /** `retry` fetches again */
  failed: (props: P, retry: () => void) => VNode | null
}

/** Wraps `load` (a dynamic import of the component) in a {@link Lazy}. */
export function lazy<P extends object>(load: () => Promise<ComponentType<P>>, states: LazyStates<P>): Lazy<P> {
  const component = signal<ComponentType<P> | null>(null)
  const failed = signal(false)
  let loading: Promise<void> | null = null
  const preload = (): Promise<void> => {
    loading ??= load().then(
      (loaded) => {
        component.value = loaded
      },
      () => {
        loading = null
        failed.value = true
      },
    )
    return loading
  }
  const retry = () => {
    failed.value = false
    void preload()
  }
  function LazyComponent(props: P) {
    const Loaded = component.value
    if (Loaded) return <Loaded {...props} />
    if (failed.value) return states.failed(props, retry)
    void preload()
    return states.loading(props)
  }
  return Object.assign(LazyComponent, { preload })
}
