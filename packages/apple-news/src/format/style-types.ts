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
  /** The column the component starts at (0-based). */
  readonly columnStart?: number
  /** How many columns the component spans. */
  readonly columnSpan?: number
  /** Space above and below the component: one length for both, or each side. */
  readonly margin?:
    | SupportedUnits
    | {
        /** Space above. */
        readonly top?: SupportedUnits
        /** Space below. */
        readonly bottom?: SupportedUnits
      }
  /** Space between the component's edges and its content: one length for all sides, or each side. */
  readonly padding?:
    | SupportedUnits
    | {
        /** Padding at the top. */
        readonly top?: SupportedUnits
        /** Padding at the right. */
        readonly right?: SupportedUnits
        /** Padding at the bottom. */
        readonly bottom?: SupportedUnits
        /** Padding at the left. */
        readonly left?: SupportedUnits
      }
  /** Insets the content from the component's edges, on every side or on the sides set to true. */
  readonly contentInset?: boolean | Readonly<Record<'top' | 'right' | 'bottom' | 'left', boolean>>
  /** Lets the component extend into the document's margin (true or `both`, or one side). */
  readonly ignoreDocumentMargin?: boolean | 'none' | 'left' | 'right' | 'both'
  /** Lets the component extend into the document's gutters (true or `both`, or one side). */
  readonly ignoreDocumentGutter?: boolean | 'none' | 'left' | 'right' | 'both'
  /** The smallest height of the component. */
  readonly minimumHeight?: SupportedUnits
  /** The largest width of the component. */
  readonly maximumWidth?: SupportedUnits
  /** Where the content sits when it is narrower than the component. */
  readonly horizontalContentAlignment?: 'left' | 'center' | 'right'
  /** Layout changes applied when their conditions hold (ANF `ConditionalComponentLayout`). */
  readonly conditional?: readonly Readonly<Record<string, unknown>>[]
}

/** A stroke (borders, dividers; ANF `StrokeStyle`). */
export interface StrokeStyle {
  /** The stroke's color. */
  readonly color?: Color
  /** The stroke's width. */
  readonly width?: SupportedUnits
  /** The line pattern. */
  readonly style?: 'solid' | 'dashed' | 'dotted'
}

/** A fill (ANF `ImageFill`, `VideoFill`, `LinearGradientFill`, `RepeatableImageFill`). */
export interface Fill {
  /** The kind of fill. */
  readonly type: 'image' | 'video' | 'linear_gradient' | 'repeatable_image'
  /** Image and video fills: the asset's URL (`bundle://` or `https://`). */
  readonly URL?: string
  /** Video fills: an image shown before the video plays. */
  readonly stillURL?: string
  /** Image and video fills: cover the component, or fit inside it. */
  readonly fillMode?: 'cover' | 'fit'
  /** Image and video fills: the vertical position of the asset. */
  readonly verticalAlignment?: 'top' | 'center' | 'bottom'
  /** Image and video fills: the horizontal position of the asset. */
  readonly horizontalAlignment?: 'left' | 'center' | 'right'
  /** Whether the fill scrolls with the content or stays fixed. */
  readonly attachment?: 'scroll' | 'fixed'
  /** Gradient fills: the colors, each at an optional location (0 to 100). */
  readonly colorStops?: readonly {
    /** The color at this stop. */
    readonly color: Color
    /** Where the stop is, in percent of the gradient. */
    readonly location?: number
  }[]
  /** Gradient fills: the gradient's angle in degrees. */
  readonly angle?: number
}

/** How a component looks (ANF `ComponentStyle`). */
export interface ComponentStyle {
  /** The component's background color. */
  readonly backgroundColor?: Color
  /** An image, video or gradient behind the component. */
  readonly fill?: Fill
  /** Opacity from 0 (transparent) to 1. */
  readonly opacity?: number
  /** The component's border. */
  readonly border?: {
    /** The stroke of every side drawn. */
    readonly all?: StrokeStyle
    /** Draw the top side (default true). */
    readonly top?: boolean
    /** Draw the bottom side (default true). */
    readonly bottom?: boolean
    /** Draw the left side (default true). */
    readonly left?: boolean
    /** Draw the right side (default true). */
    readonly right?: boolean
  }
  /** Rounded corners. */
  readonly mask?: {
    /** The only mask type. */
    readonly type: 'corners'
    /** The corner radius in points. */
    readonly radius?: number
  }
  /** How a data or HTML table component looks (ANF `TableStyle`). */
  readonly tableStyle?: Readonly<Record<string, unknown>>
  /** Style changes applied when their conditions hold (ANF `ConditionalComponentStyle`). */
  readonly conditional?: readonly Readonly<Record<string, unknown>>[]
}

/** Text attributes shared by text styles (ANF `TextStyle`). */
export interface TextStyle {
  /** The PostScript name of a font (`HelveticaNeue-Bold`), or a font of the bundle. */
  readonly fontName?: string
  /** A font family, combined with `fontWeight`, `fontWidth` and `fontStyle`. */
  readonly fontFamily?: string
  /** The font size in points. */
  readonly fontSize?: number
  /** The weight: a number (100 to 900) or a name (`bold`, `light`...). */
  readonly fontWeight?: number | string
  /** The width (`condensed`, `expanded`...). */
  readonly fontWidth?: string
  /** The slant. */
  readonly fontStyle?: 'normal' | 'italic' | 'oblique'
  /** The text color. */
  readonly textColor?: Color
  /** A shadow behind the text (ANF `Shadow`). */
  readonly textShadow?: Readonly<Record<string, unknown>>
  /** A case change applied to the text. */
  readonly textTransform?: 'uppercase' | 'lowercase' | 'capitalize' | 'smallcaps' | 'none'
  /** Underline the text (true), or with this stroke. */
  readonly underline?: boolean | StrokeStyle
  /** Strike the text through (true), or with this stroke. */
  readonly strikethrough?: boolean | StrokeStyle
  /** An outline around the glyphs. */
  readonly stroke?: StrokeStyle
  /** The color behind the text. */
  readonly backgroundColor?: Color
  /** Superscript, subscript or the baseline. */
  readonly verticalAlignment?: 'superscript' | 'subscript' | 'baseline'
  /** Letter spacing, as a fraction of the font size. */
  readonly tracking?: number
  /** How ordered list items are numbered (ANF `ListItemStyle`). */
  readonly orderedListItems?: Readonly<Record<string, unknown>>
  /** How unordered list items are marked (ANF `ListItemStyle`). */
  readonly unorderedListItems?: Readonly<Record<string, unknown>>
}

/** The text style of a whole component (ANF `ComponentTextStyle`). */
export interface ComponentTextStyle extends TextStyle {
  /** The paragraphs' alignment. */
  readonly textAlignment?: 'left' | 'center' | 'right' | 'justified' | 'none'
  /** The line height in points. */
  readonly lineHeight?: number
  /** Space before each paragraph, in points. */
  readonly paragraphSpacingBefore?: number
  /** Space after each paragraph, in points. */
  readonly paragraphSpacingAfter?: number
  /** The indent of each paragraph's first line, in points. */
  readonly firstLineIndent?: number
  /** Let punctuation hang outside the text's edge. */
  readonly hangingPunctuation?: boolean
  /** Hyphenate words at line ends. */
  readonly hyphenation?: boolean
  /** A drop cap at the start of the text (ANF `DropCapStyle`). */
  readonly dropCapStyle?: Readonly<Record<string, unknown>>
  /** How links look. */
  readonly linkStyle?: TextStyle
  /** Text style changes applied when their conditions hold. */
  readonly conditional?: readonly Readonly<Record<string, unknown>>[]
}

/** A style applied to a range of unformatted text (ANF `InlineTextStyle`). */
export interface InlineTextStyle {
  /** Where the range starts, in characters of the text. */
  readonly rangeStart: number
  /** How many characters the range covers. */
  readonly rangeLength: number
  /** A key of `textStyles`, or a style. */
  readonly textStyle: string | TextStyle
}

/** The document's background (ANF `DocumentStyle`). */
export interface DocumentStyle {
  /** The color behind the whole article. */
  readonly backgroundColor?: Color
  /** Background changes applied when their conditions hold. */
  readonly conditional?: readonly Readonly<Record<string, unknown>>[]
}
