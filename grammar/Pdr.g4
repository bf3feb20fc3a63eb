// The .pdr language: generic blocks, attributes and typed literals.
// What a block may contain lives in the schema table (compiler/check/schema.cpp),
// not here, so the grammar stays small and every domain error gets a precise message.
grammar Pdr;

file      : block* EOF ;
block     : IDENT label? '{' entry* '}' ;
label     : IDENT | STRING ;
entry     : attribute | block ;
attribute : IDENT '=' value ;

value
  : STRING      # stringValue
  | NUMBER      # numberValue
  | QUANTITY    # quantityValue
  | MONEY       # moneyValue
  | CIDR        # cidrValue
  | DATE        # dateValue
  | reference   # referenceValue
  | list        # listValue
  | map         # mapValue
  ;

reference : IDENT ('.' IDENT)* ;
list      : '[' (value (',' value)* ','?)? ']' ;
map       : '{' (mapEntry (',' mapEntry)* ','?)? '}' ;
mapEntry  : key=(IDENT | STRING) ':' value ;

DATE     : DIGIT DIGIT DIGIT DIGIT '-' DIGIT DIGIT '-' DIGIT DIGIT ;
CIDR     : DIGIT+ '.' DIGIT+ '.' DIGIT+ '.' DIGIT+ '/' DIGIT+ ;
QUANTITY : DIGIT+ ('.' DIGIT+)? [a-zA-Z]+ ;
NUMBER   : '-'? DIGIT+ ('.' DIGIT+)? ;
MONEY    : '$' DIGIT+ ('.' DIGIT+)? ;
STRING   : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
// A string that reaches the end of its line; the longer STRING wins when closed.
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* ;
IDENT    : [a-zA-Z_] [a-zA-Z0-9_-]* ;

COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN) ;
NEWLINE  : ('\r'? '\n' | '\r') -> channel(HIDDEN) ;
WS       : [ \t]+ -> skip ;
// Anything else becomes one token so the parser reports it with its location.
UNEXPECTED : . ;

fragment DIGIT : [0-9] ;
