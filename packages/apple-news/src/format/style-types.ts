/**
 * Layouts and styles of Apple News Format, written from Apple's reference
 * (`https://developer.apple.com/documentation/applenewsformat`; Apple publishes no JSON schema;
 * docs/protocols/apple-news.md §8). Values Apple allows in several forms keep them all.
 */

/** A color: `#RGB`, `#RRGGBB`, `#RRGGBBAA` or a CSS color name. */
export type Color = string

/** A length: points as a number, or a string with a unit (`"10vh"`, `"50cw"`, `"2gut"`, `"1cw"`...). */
export type SupportedUnits = number | string

/** The column system of the document (ANF `Layout`). */
export interface Layout {
  /** Number of columns. */
  readonly columns: number
  /** Width of the design in points. */
  readonly width: number
  /** Outer margin in points. */
  readonly margin?: number
  /** Space between columns in points. */
  readonly gutter?: number
}

/** Where and how big a component is (ANF `ComponentLayout`). */
export interface ComponentLayout {
  readonly columnStart?: number
  readonly columnSpan?: number
  readonly margin?: SupportedUnits | { readonly top?: SupportedUnits; readonly bottom?: SupportedUnits }
  readonly padding?:
    | SupportedUnits
    | {
        readonly top?: SupportedUnits
        readonly right?: SupportedUnits
        readonly bottom?: SupportedUnits
        readonly left?: SupportedUnits
      }
  readonly contentInset?: boolean | Readonly<Record<'top' | 'right' | 'bottom' | 'left', boolean>>
  readonly ignoreDocumentMargin?: boolean | 'none' | 'left' | 'right' | 'both'
  readonly ignoreDocumentGutter?: boolean | 'none' | 'left' | 'right' | 'both'
  readonly minimumHeight?: SupportedUnits
  readonly maximumWidth?: SupportedUnits
  readonly horizontalContentAlignment?: 'left' | 'center' | 'right'
  readonly conditional?: readonly Readonly<Record<string, unknown>>[]
}

/** A stroke (borders, dividers; ANF `StrokeStyle`). */
export interface StrokeStyle {
  readonly color?: Color
  readonly width?: SupportedUnits
  readonly style?: 'solid' | 'dashed' | 'dotted'
}

/** A fill (ANF `ImageFill`, `VideoFill`, `LinearGradientFill`, `RepeatableImageFill`). */
export interface Fill {
  readonly type: 'image' | 'video' | 'linear_gradient' | 'repeatable_image'
  /** Image and video fills: the asset's URL (`bundle://` or `https://`). */
  readonly URL?: string
  readonly stillURL?: string
  readonly fillMode?: 'cover' | 'fit'
  readonly verticalAlignment?: 'top' | 'center' | 'bottom'
  readonly horizontalAlignment?: 'left' | 'center' | 'right'
  readonly attachment?: 'scroll' | 'fixed'
  readonly colorStops?: readonly { readonly color: Color; readonly location?: number }[]
  readonly angle?: number
}

/** How a component looks (ANF `ComponentStyle`). */
export interface ComponentStyle {
  readonly backgroundColor?: Color
  readonly fill?: Fill
  readonly opacity?: number
  readonly border?: {
    readonly all?: StrokeStyle
    readonly top?: boolean
    readonly bottom?: boolean
    readonly left?: boolean
    readonly right?: boolean
  }
  readonly mask?: { readonly type: 'corners'; readonly radius?: number }
  readonly tableStyle?: Readonly<Record<string, unknown>>
  readonly conditional?: readonly Readonly<Record<string, unknown>>[]
}

/** Text attributes shared by text styles (ANF `TextStyle`). */
export interface TextStyle {
  readonly fontName?: string
  readonly fontFamily?: string
  readonly fontSize?: number
  readonly fontWeight?: number | string
  readonly fontWidth?: string
  readonly fontStyle?: 'normal' | 'italic' | 'oblique'
  readonly textColor?: Color
  readonly textShadow?: Readonly<Record<string, unknown>>
  readonly textTransform?: 'uppercase' | 'lowercase' | 'capitalize' | 'smallcaps' | 'none'
  readonly underline?: boolean | StrokeStyle
  readonly strikethrough?: boolean | StrokeStyle
  readonly stroke?: StrokeStyle
  readonly backgroundColor?: Color
  readonly verticalAlignment?: 'superscript' | 'subscript' | 'baseline'
  readonly tracking?: number
  readonly orderedListItems?: Readonly<Record<string, unknown>>
  readonly unorderedListItems?: Readonly<Record<string, unknown>>
}

/** The text style of a whole component (ANF `ComponentTextStyle`). */
export interface ComponentTextStyle extends TextStyle {
  readonly textAlignment?: 'left' | 'center' | 'right' | 'justified' | 'none'
  readonly lineHeight?: number
  readonly paragraphSpacingBefore?: number
  readonly paragraphSpacingAfter?: number
  readonly firstLineIndent?: number
  readonly hangingPunctuation?: boolean
  readonly hyphenation?: boolean
  readonly dropCapStyle?: Readonly<Record<string, unknown>>
  readonly linkStyle?: TextStyle
  readonly conditional?: readonly Readonly<Record<string, unknown>>[]
}

/** A style applied to a range of unformatted text (ANF `InlineTextStyle`). */
export interface InlineTextStyle {
  readonly rangeStart: number
  readonly rangeLength: number
  /** A key of `textStyles`, or a style. */
  readonly textStyle: string | TextStyle
}

/** The document's background (ANF `DocumentStyle`). */
export interface DocumentStyle {
  readonly backgroundColor?: Color
  readonly conditional?: readonly Readonly<Record<string, unknown>>[]
}
