import { NumberInput, type NumberInputProps } from '@mantine/core';
import { currencySymbol, moneyDecimals } from './format';

/**
 * An amount in the instance currency, edited in major units (12.50); convert with `toCents`
 * before sending it. Tells assistive technology when it is in error.
 */
export function MoneyInput(props: NumberInputProps) {
  return (
    <NumberInput
      decimalScale={moneyDecimals()}
      fixedDecimalScale
      allowNegative={false}
      thousandSeparator
      hideControls
      inputMode="decimal"
      leftSection={currencySymbol()}
      leftSectionPointerEvents="none"
      aria-invalid={props.error ? true : undefined}
      {...props}
    />
  );
}
