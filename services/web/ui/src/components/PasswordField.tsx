import { PasswordInput, type PasswordInputProps } from '@mantine/core';

/**
 * A password input that tells assistive technology when it is in error: Mantine's own
 * PasswordInput shows the error but does not set `aria-invalid` on the input itself.
 */
export function PasswordField(props: PasswordInputProps) {
  return <PasswordInput aria-invalid={props.error ? true : undefined} {...props} />;
}
