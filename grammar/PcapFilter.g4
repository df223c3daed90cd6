// The pcap-filter language (pcap-filter(7)) as libpcap's flex scanner and
// yacc grammar accept it.
//
// Lexer: the rules follow the scanner's rule order, because ANTLR, like flex,
// takes the longest match and breaks ties by the earliest rule. That is what
// makes `tcp` a keyword but `tcpx` a name, `10` a number but `10.1` an
// address, `0x10` a number but `0xg` a name, and `1-2` (portrange) a name.
// Keywords are case-sensitive, as in the scanner.
//
// Parser: the rules mirror the yacc grammar so that exactly the same strings
// are accepted; the places where the shape differs (loops instead of left
// recursion, arithmetic as a flat sequence) say why. Qualifier inheritance
// is done by the AST builder (frontend/src/parse/ast_builder.cpp), which
// walks the tree in source order the way yacc's `$<blk>0` values flow.
grammar PcapFilter;

// ---- Parser -----------------------------------------------------------------

filter : expr? EOF ;

// expr: term | expr and term | expr and id | expr or term | expr or id.
// `and` and `or` have the same precedence and associate to the left.
expr : term (logicalOp (term | id))* ;

logicalOp : AND | OR ;

// A bare value after and/or: it takes the qualifiers in effect.
// yacc: id: nid | pnum | paren pid ')'; nid: ... | not id.
id : NOT* idAtom ;

idAtom
  : nidAtom
  | pnum
  | LPAREN pid RPAREN
  ;

nidAtom
  : ID                   #nameValue
  | HID SLASH NUM        #ipv4PrefixValue
  | HID NETMASK HID      #ipv4MaskValue
  | HID                  #ipv4Value
  | HID6 SLASH NUM       #ipv6PrefixValue
  | HID6                 #ipv6Value
  | EID                  #macValue
  | AID                  #arcnetValue
  ;

// yacc: pid: nid | qid and id | qid or id; qid: pnum | pid. A lone pnum is not
// a pid (it is accepted as an id through `pnum: paren pnum ')'` instead),
// and a parenthesized pid cannot start a pid: `((a) or b)` is a syntax error.
pid
  : NOT id (logicalOp id)*
  | nidAtom (logicalOp id)*
  | pnum (logicalOp id)+
  ;

pnum : NUM | LPAREN pnum RPAREN ;

// yacc: term: rterm | not term.
term : NOT* rterm ;

rterm
  : head id                              #qualifiedTerm
  | LPAREN expr RPAREN                   #parenTerm
  | pname                                #protoTerm
  | arth relop arth                      #relationTerm
  | other                                #otherTerm
  | atmtype                              #atmTypeTerm
  | atmmultitype                         #atmMultiTypeTerm
  | atmfield atmvalue                    #atmFieldTerm
  | mtp2type                             #mtp2TypeTerm
  | mtp3field mtp3value                  #mtp3FieldTerm
  ;

// yacc: head: pqual dqual aqual | pqual dqual | pqual aqual | pqual PROTO
//           | pqual PROTOCHAIN | pqual ndaqual; pqual: pname | (empty).
head : pname? (dqual aqual? | aqual | PROTO | PROTOCHAIN | GATEWAY) ;

dqual
  : SRC | DST
  | SRC OR DST | DST OR SRC
  | SRC AND DST | DST AND SRC
  | ADDR1 | ADDR2 | ADDR3 | ADDR4 | RA | TA
  ;

aqual : HOST | NET | PORT | PORTRANGE ;

pname
  : LINK | IP | ARP | RARP | SCTP | TCP | UDP | ICMP | IGMP | IGRP | PIM | VRRP | CARP
  | ATALK | AARP | DECNET | LAT | SCA | MOPDL | MOPRC | IPV6 | ICMPV6 | AH | ESP
  | ISO | ESIS | ISIS | L1 | L2 | IIH | LSP | SNP | PSNP | CSNP | CLNP | STP | IPX
  | NETBEUI | RADIO
  ;

other
  : pname? TK_BROADCAST                  #broadcast
  | pname? TK_MULTICAST                  #multicast
  | LESS NUM                             #less
  | GREATER NUM                          #greater
  | CBYTE NUM byteop NUM                 #byteCompare
  | INBOUND                              #inbound
  | OUTBOUND                             #outbound
  | IFINDEX NUM                          #ifindex
  | VLAN pnum?                           #vlan
  | MPLS pnum?                           #mpls
  | PPPOED                               #pppoed
  | PPPOES pnum?                         #pppoes
  | GENEVE pnum?                         #geneve
  | VXLAN pnum?                          #vxlan
  | pfvar                                #pflog
  | pname? p80211                        #wlan
  | LLC (ID | PF_RNR)?                   #llc
  ;

pfvar
  : PF_IFNAME ID
  | PF_RSET ID
  | PF_RNR NUM
  | PF_SRNR NUM
  | PF_REASON (NUM | ID)
  | PF_ACTION ID
  ;

p80211
  : TYPE wlanValue (SUBTYPE wlanValue)?  #wlanType
  | SUBTYPE ID                           #wlanSubtype
  | DIR wlanValue                        #wlanDir
  ;

wlanValue : NUM | ID ;

relop : GT | GEQ | EQ | LEQ | LT | NEQ ;

byteop : AMP | PIPE | LT | GT | EQ ;

// Arithmetic: operands and binary operators in a flat sequence. The AST
// builder applies libpcap's precedence (| < & < << >> < + - < * / < unary -)
// the way yacc's shift/reduce parser does, including its treatment of `%`
// and `^`, which the yacc grammar leaves without precedence so that yacc
// always shifts them. Stating that as grammar rules would be ambiguous;
// as a sequence it needs one token of lookahead and no recursion per
// operator.
arth : arthOperand (arthOperator arthOperand)* ;

arthOperand : MINUS* arthPrimary ;

arthOperator : PLUS | MINUS | STAR | SLASH | PERCENT | AMP | PIPE | CARET | LSH | RSH ;

arthPrimary
  : pname LBRACKET arth (COLON NUM)? RBRACKET        #packetAccess
  | LPAREN arth RPAREN                               #parenArth
  | LEN                                              #length
  | NUM                                              #number
  ;

atmtype : LANE | METAC | BCC | OAMF4EC | OAMF4SC | SC | ILMIC ;
atmmultitype : OAM | OAMF4 | CONNECTMSG | METACONNECT ;
atmfield : VPI | VCI ;
atmvalue : NUM | relop NUM | LPAREN NUM (OR NUM)* RPAREN ;

mtp2type : FISU | LSSU | MSU | HFISU | HLSSU | HMSU ;
mtp3field : SIO | OPC | DPC | SLS | HSIO | HOPC | HDPC | HSLS ;
mtp3value : NUM | relop NUM | LPAREN NUM (OR NUM)* RPAREN ;

// ---- Lexer (in the scanner's rule order) ------------------------------------

DST : 'dst' ;
SRC : 'src' ;
LINK : 'link' | 'ether' | 'ppp' | 'slip' | 'fddi' | 'tr' | 'wlan' ;
ARP : 'arp' ;
RARP : 'rarp' ;
IP : 'ip' ;
SCTP : 'sctp' ;
TCP : 'tcp' ;
UDP : 'udp' ;
ICMP : 'icmp' ;
IGMP : 'igmp' ;
IGRP : 'igrp' ;
PIM : 'pim' ;
VRRP : 'vrrp' ;
CARP : 'carp' ;
RADIO : 'radio' ;
IPV6 : 'ip6' ;
ICMPV6 : 'icmp6' ;
AH : 'ah' ;
ESP : 'esp' ;
ATALK : 'atalk' ;
AARP : 'aarp' ;
DECNET : 'decnet' ;
LAT : 'lat' ;
SCA : 'sca' ;
MOPRC : 'moprc' ;
MOPDL : 'mopdl' ;
ISO : 'iso' ;
ESIS : 'esis' | 'es-is' ;
ISIS : 'isis' | 'is-is' ;
L1 : 'l1' ;
L2 : 'l2' ;
IIH : 'iih' ;
LSP : 'lsp' ;
SNP : 'snp' ;
CSNP : 'csnp' ;
PSNP : 'psnp' ;
CLNP : 'clnp' ;
STP : 'stp' ;
IPX : 'ipx' ;
NETBEUI : 'netbeui' ;
HOST : 'host' ;
NET : 'net' ;
NETMASK : 'mask' ;
PORT : 'port' ;
PORTRANGE : 'portrange' ;
PROTO : 'proto' ;
PROTOCHAIN : 'protochain' ;
GATEWAY : 'gateway' ;
TYPE : 'type' ;
SUBTYPE : 'subtype' ;
DIR : 'direction' | 'dir' ;
ADDR1 : 'address1' | 'addr1' ;
ADDR2 : 'address2' | 'addr2' ;
ADDR3 : 'address3' | 'addr3' ;
ADDR4 : 'address4' | 'addr4' ;
RA : 'ra' ;
TA : 'ta' ;
LESS : 'less' ;
GREATER : 'greater' ;
CBYTE : 'byte' ;
TK_BROADCAST : 'broadcast' ;
TK_MULTICAST : 'multicast' ;
AND : 'and' | '&&' ;
OR : 'or' | '||' ;
NOT : 'not' | '!' ;
LEN : 'len' | 'length' ;
INBOUND : 'inbound' ;
OUTBOUND : 'outbound' ;
IFINDEX : 'ifindex' ;
VLAN : 'vlan' ;
MPLS : 'mpls' ;
PPPOED : 'pppoed' ;
PPPOES : 'pppoes' ;
GENEVE : 'geneve' ;
VXLAN : 'vxlan' ;
LANE : 'lane' ;
LLC : 'llc' ;
METAC : 'metac' ;
BCC : 'bcc' ;
OAM : 'oam' ;
OAMF4 : 'oamf4' ;
OAMF4EC : 'oamf4ec' ;
OAMF4SC : 'oamf4sc' ;
SC : 'sc' ;
ILMIC : 'ilmic' ;
VPI : 'vpi' ;
VCI : 'vci' ;
CONNECTMSG : 'connectmsg' ;
METACONNECT : 'metaconnect' ;
PF_IFNAME : 'on' | 'ifname' ;
PF_RSET : 'rset' | 'ruleset' ;
PF_RNR : 'rnr' | 'rulenum' ;
PF_SRNR : 'srnr' | 'subrulenum' ;
PF_REASON : 'reason' ;
PF_ACTION : 'action' ;
FISU : 'fisu' ;
LSSU : 'lssu' | 'lsu' ;
MSU : 'msu' ;
HFISU : 'hfisu' ;
HLSSU : 'hlssu' ;
HMSU : 'hmsu' ;
SIO : 'sio' ;
OPC : 'opc' ;
DPC : 'dpc' ;
SLS : 'sls' ;
HSIO : 'hsio' ;
HOPC : 'hopc' ;
HDPC : 'hdpc' ;
HSLS : 'hsls' ;

WS : [ \r\n\t]+ -> skip ;

PLUS : '+' ;
MINUS : '-' ;
STAR : '*' ;
SLASH : '/' ;
PERCENT : '%' ;
COLON : ':' ;
LBRACKET : '[' ;
RBRACKET : ']' ;
LT : '<' ;
GT : '>' ;
LPAREN : '(' ;
RPAREN : ')' ;
AMP : '&' ;
PIPE : '|' ;
CARET : '^' ;
EQ : '=' | '==' ;
GEQ : '>=' ;
LEQ : '<=' ;
NEQ : '!=' ;
LSH : '<<' ;
RSH : '>>' ;

// An ARCnet (MAC-8) address: `$` and one or two hex digits.
AID : '$' B ;
// A MAC-48 address in any of libpcap's forms. Twelve hex digits in a row are
// a MAC address even when they are also a (too large) number.
EID
  : B ':' B ':' B ':' B ':' B ':' B
  | B '-' B '-' B '-' B '-' B '-' B
  | B '.' B '.' B '.' B '.' B '.' B
  | B2 '.' B2 '.' B2
  | B2 B2 B2
  ;
// Decimal, octal (leading 0) or hex (0x) number; its value and the scanner's
// errors (non-octal digit, overflow) are checked after lexing.
NUM : N ;
// A dotted IPv4 address with 2 to 4 components (one component is a NUM).
HID : N '.' N | N '.' N '.' N | N '.' N '.' N '.' N ;
HID6 : V6 ;
// Colon-separated hex bytes that are not a MAC-48 address: the scanner's
// "invalid Ethernet address".
BAD_EID : B ':'+ (B ':'+)+ ;

// Named constants the scanner turns into numbers.
NAMED_NUM
  : ( 'icmptype' | 'icmpcode'
  | 'icmp-echoreply' | 'icmp-unreach' | 'icmp-sourcequench' | 'icmp-redirect' | 'icmp-echo'
  | 'icmp-routeradvert' | 'icmp-routersolicit' | 'icmp-timxceed' | 'icmp-paramprob'
  | 'icmp-tstamp' | 'icmp-tstampreply' | 'icmp-ireq' | 'icmp-ireqreply' | 'icmp-maskreq'
  | 'icmp-maskreply'
  | 'icmp6type' | 'icmp6code'
  | 'icmp6-destinationunreach' | 'icmp6-packettoobig' | 'icmp6-timeexceeded'
  | 'icmp6-parameterproblem' | 'icmp6-echo' | 'icmp6-echoreply'
  | 'icmp6-multicastlistenerquery' | 'icmp6-multicastlistenerreportv1'
  | 'icmp6-multicastlistenerdone' | 'icmp6-routersolicit' | 'icmp6-routeradvert'
  | 'icmp6-neighborsolicit' | 'icmp6-neighboradvert' | 'icmp6-redirect'
  | 'icmp6-routerrenum' | 'icmp6-nodeinformationquery' | 'icmp6-nodeinformationresponse'
  | 'icmp6-ineighbordiscoverysolicit' | 'icmp6-ineighbordiscoveryadvert'
  | 'icmp6-multicastlistenerreportv2' | 'icmp6-homeagentdiscoveryrequest'
  | 'icmp6-homeagentdiscoveryreply' | 'icmp6-mobileprefixsolicit'
  | 'icmp6-mobileprefixadvert' | 'icmp6-certpathsolicit' | 'icmp6-certpathadvert'
  | 'icmp6-multicastrouteradvert' | 'icmp6-multicastroutersolicit'
  | 'icmp6-multicastrouterterm'
  | 'tcpflags' | 'tcp-fin' | 'tcp-syn' | 'tcp-rst' | 'tcp-push' | 'tcp-ack' | 'tcp-urg'
  | 'tcp-ece' | 'tcp-cwr'
  ) -> type(NUM)
  ;

// A name: host, network, service, protocol, pflog interface, 802.11 type...
ID : [A-Za-z0-9] ([-_.A-Za-z0-9]* [.A-Za-z0-9])? ;
// `\name` is a name even when `name` is a keyword.
ESCAPED_ID : '\\' ~[ !()\n\t]+ -> type(ID) ;

// Anything else: the scanner's LEX_ERROR, which no rule accepts.
LEX_ERROR : . ;

fragment N : [0-9]+ | ('0X' | '0x') [0-9A-Fa-f]+ ;
fragment B : [0-9A-Fa-f] [0-9A-Fa-f]? ;
fragment B2 : [0-9A-Fa-f] [0-9A-Fa-f] [0-9A-Fa-f] [0-9A-Fa-f] ;
fragment W : [0-9A-Fa-f] [0-9A-Fa-f]? [0-9A-Fa-f]? [0-9A-Fa-f]? ;
fragment V4 : N '.' N '.' N '.' N ;
// Every IPv6 spelling the scanner's V6 pattern lists: eight groups, a `::`
// standing for one or more groups, and an embedded IPv4 address at the end.
fragment V6
  : W ':' W ':' W ':' W ':' W ':' W ':' W ':' W
  | '::' W ':' W ':' W ':' W ':' W ':' W ':' W
  | W '::' W ':' W ':' W ':' W ':' W ':' W
  | W ':' W '::' W ':' W ':' W ':' W ':' W
  | W ':' W ':' W '::' W ':' W ':' W ':' W
  | W ':' W ':' W ':' W '::' W ':' W ':' W
  | W ':' W ':' W ':' W ':' W '::' W ':' W
  | W ':' W ':' W ':' W ':' W ':' W '::' W
  | W ':' W ':' W ':' W ':' W ':' W ':' W '::'
  | '::' W ':' W ':' W ':' W ':' W ':' W
  | W '::' W ':' W ':' W ':' W ':' W
  | W ':' W '::' W ':' W ':' W ':' W
  | W ':' W ':' W '::' W ':' W ':' W
  | W ':' W ':' W ':' W '::' W ':' W
  | W ':' W ':' W ':' W ':' W '::' W
  | W ':' W ':' W ':' W ':' W ':' W '::'
  | '::' W ':' W ':' W ':' W ':' W
  | W '::' W ':' W ':' W ':' W
  | W ':' W '::' W ':' W ':' W
  | W ':' W ':' W '::' W ':' W
  | W ':' W ':' W ':' W '::' W
  | W ':' W ':' W ':' W ':' W '::'
  | '::' W ':' W ':' W ':' W
  | W '::' W ':' W ':' W
  | W ':' W '::' W ':' W
  | W ':' W ':' W '::' W
  | W ':' W ':' W ':' W '::'
  | '::' W ':' W ':' W
  | W '::' W ':' W
  | W ':' W '::' W
  | W ':' W ':' W '::'
  | '::' W ':' W
  | W '::' W
  | W ':' W '::'
  | '::' W
  | W '::'
  | '::'
  | W ':' W ':' W ':' W ':' W ':' W ':' V4
  | '::' W ':' W ':' W ':' W ':' W ':' V4
  | W '::' W ':' W ':' W ':' W ':' V4
  | W ':' W '::' W ':' W ':' W ':' V4
  | W ':' W ':' W '::' W ':' W ':' V4
  | W ':' W ':' W ':' W '::' W ':' V4
  | W ':' W ':' W ':' W ':' W '::' V4
  | '::' W ':' W ':' W ':' W ':' V4
  | W '::' W ':' W ':' W ':' V4
  | W ':' W '::' W ':' W ':' V4
  | W ':' W ':' W '::' W ':' V4
  | W ':' W ':' W ':' W '::' V4
  | '::' W ':' W ':' W ':' V4
  | W '::' W ':' W ':' V4
  | W ':' W '::' W ':' V4
  | W ':' W ':' W '::' V4
  | '::' W ':' W ':' V4
  | W '::' W ':' V4
  | W ':' W '::' V4
  | '::' W ':' V4
  | W '::' V4
  | '::' V4
  ;
