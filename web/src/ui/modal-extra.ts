/**
 * What every drawer and dialog shows above its content, given by the page
 * frame: the session warning. The page behind a modal is inert, so a warning
 * shown there could be neither read nor answered while a form is open; the
 * frame hands it to the modal instead, and ui/ stays free of session code.
 */
import type { ComponentChildren } from 'preact'
import { createContext } from 'preact'

/** Rendered at the top of each Drawer and ConfirmDialog; nothing by default. */
export const ModalExtra = createContext<ComponentChildren>(null)
