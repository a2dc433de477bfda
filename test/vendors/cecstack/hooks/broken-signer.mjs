// A module without createSigner: the client refuses it with a configuration error.
export const nothing = true;
