// Helpers for reading settings bodies, so each block's checker does not re-implement lookups.
import type { Expr, Setting, SettingValue, SettingsBlock, SettingsItem } from './types.js';

/** The key of a setting as text (a name or the decoded string). */
export function settingKey(setting: Setting): string {
  return setting.key.kind === 'Identifier' ? setting.key.name : setting.key.value;
}

/** The settings (not nested blocks) of a body, in source order. */
export function settingsOf(body: SettingsItem[]): Setting[] {
  return body.filter((item): item is Setting => item.kind === 'Setting');
}

/** The nested blocks of a body, in source order. */
export function nestedBlocksOf(body: SettingsItem[]): SettingsBlock[] {
  return body.filter((item): item is SettingsBlock => item.kind === 'SettingsBlock');
}

/** The first setting with the given key, if any. */
export function findSetting(body: SettingsItem[], key: string): Setting | undefined {
  return settingsOf(body).find((setting) => settingKey(setting) === key);
}

/**
 * The value as one expression when it is exactly one phrase of one part (`batch: 32`,
 * `optimizer: adam(lr: 1e-4)`); undefined for phrases such as `50 epochs`.
 */
export function singleExpression(value: SettingValue): Expr | undefined {
  if (value.items.length !== 1) return undefined;
  const item = value.items[0]!;
  if (item.kind !== 'Phrase' || item.parts.length !== 1) return undefined;
  return item.parts[0];
}
