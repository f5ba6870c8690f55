/** A dynamic provider's property bag. */
export type Props = Record<string, unknown>;

/** Outputs as the engine takes them: no `undefined` anywhere (its Struct encoding refuses it). */
export const plain = (props: Props): Props => JSON.parse(JSON.stringify(props)) as Props;
