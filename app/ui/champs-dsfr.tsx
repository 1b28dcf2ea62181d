/**
 * react-dsfr's Input and Select, with the field in error marked `aria-invalid` (react-dsfr describes the field by its
 * message but does not mark it: RGAA 11.10). Same props; every form of the app imports them from here.
 */
import { Input as DsfrInput, type InputProps } from "@codegouvfr/react-dsfr/Input";
import { Select as DsfrSelect, type SelectProps } from "@codegouvfr/react-dsfr/Select";

const INVALIDE = { "aria-invalid": true } as const;

export function Input(props: InputProps) {
  if (props.state !== "error") return <DsfrInput {...props} />;
  return props.textArea ? (
    <DsfrInput {...props} nativeTextAreaProps={{ ...props.nativeTextAreaProps, ...INVALIDE }} />
  ) : (
    <DsfrInput {...props} nativeInputProps={{ ...props.nativeInputProps, ...INVALIDE }} />
  );
}

export function Select(props: SelectProps) {
  if (props.state !== "error") return <DsfrSelect {...props} />;
  return <DsfrSelect {...props} nativeSelectProps={{ ...props.nativeSelectProps, ...INVALIDE }} />;
}
