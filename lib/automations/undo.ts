/** Undo hints that say plainly when there is nothing to undo or no way back (issue 24: every result carries one). */
export const UNDO = {
  notice: 'nothing to undo: a notice changes nothing at the vendor',
  purge: 'cannot be undone: a purge destroys the resource for good',
  deleteWithoutRestore: (vendor: string) =>
    `cannot be undone: ${vendor} offers no restore from its recycle bin, so the deleted instance cannot be brought back`,
} as const;
