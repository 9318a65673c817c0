# Independent reference: exact Decimal arithmetic on Wh-rounded hourly energy.
from decimal import Decimal as D, ROUND_HALF_UP, getcontext
getcontext().prec=60
raw=open('/work/shared/oracles/nrel-ssc/pvsamv1_residential_load.csv').read().split()
wh=[int(D(x)*1000 .__class__(1000) if False else (D(x)*1000).quantize(D(1),rounding=ROUND_HALF_UP)) for x in raw]
exact=[D(x) for x in raw]
NDAY=[31,28,31,30,31,30,31,31,30,31,30,31]
def tod(wk,we):
    t=[];wday=5
    for m in range(12):
        for d in range(NDAY[m]):
            isw=wday>0
            if wday>=0: wday-=1
            else: wday=5
            row=wk if isw else we
            t+= [row[m*24+h] for h in range(24)]
    return t
RES_WKDAY = ([1]*10 + [2]*5 + [3]*5 + [1]*4) * 4 + ([1]*15 + [4]*5 + [1]*4) * 6 + ([1]*10 + [2]*5 + [3]*5 + [1]*4) * 2
RES_WKEND=[1]*288
A={1:[(None,D('0.1'))],2:[(None,D('0.05'))],3:[(None,D('0.2'))],4:[(None,D('0.25'))]}
R={"winter_a": [6,6,6,6,6,6,5,5,5,5,5,5,5,5,5,5,4,4,4,4,4,5,5,5],"winter_b": [6,6,6,6,6,6,5,5,5,5,6,6,6,6,5,5,4,4,4,4,4,5,5,5],"summer":   [3,3,3,3,3,3,2,2,2,2,2,2,2,2,2,2,1,1,1,1,1,2,2,2]}
RE={"winter":   [6,6,6,6,6,6,6,6,6,6,6,6,6,6,5,5,4,4,4,4,4,5,5,5],"summer":   [3,3,3,3,3,3,3,3,3,3,3,3,3,3,2,2,1,1,1,1,1,2,2,2]}
_wk = ["winter_a","winter_a","winter_b","winter_b","winter_a","summer","summer","summer","summer","summer","winter_a","winter_a"]
_we = ["winter"]*5 + ["summer"]*5 + ["winter"]*2
TW=sum((R[k] for k in _wk),[]); TE=sum((RE[k] for k in _we),[])
B={1:[(D('11.7'),D('0.31868')),(None,D('0.50884'))],2:[(D('11.7'),D('0.26425')),(None,D('0.45441'))],3:[(D('11.7'),D('0.21035')),(None,D('0.40051'))],
   4:[(D('11.96'),D('0.23241')),(None,D('0.40853'))],5:[(D('11.96'),D('0.22394')),(None,D('0.40006'))],6:[(D('11.96'),D('0.21454')),(None,D('0.39066'))]}
P36_WKDAY = ([36,2,2,34,2,2,2,33,32,31,29,27,28,25,26,24,23,22,21,20,19,18,17,16,15,14,13,12,11,10,9,8,7,6,5,4] + [2]*84 + [1]*96 + [2]*72)
P36_WKEND = ([2,2,2,2,2,2,20,2,2,2,2,2,23,2,2,2,25,2,2,2,29,2,32,2] + [2]*96 + [1]*96 + [2]*72)
C={}
for p in range(1,37):
    C[p]=[(None,D('0.1') if p==1 else D('0.25') if p==36 else D('0.05') if p%2==0 else D('0.2'))]
def bill(e, wk, we, tar, daily, esc=D(1)):
    t=tod(wk,we); c=0; total=D(0); months=[]
    for m in range(12):
        per={}
        for _ in range(NDAY[m]*24):
            per[t[c]]=per.get(t[c],D(0))+e[c]; c+=1
        tot=sum(per.values()); ch=D(0)
        for p,ep in per.items():
            prev=D(0)
            for (mx,price) in tar[p]:
                ub=None if mx is None else (mx*NDAY[m] if daily else mx)
                if ub is not None and tot>ub:
                    ch+= ep*(ub-prev)/tot*price*esc; prev=ub
                else:
                    ch+= ep*(tot-prev)/tot*price*esc; break
        months.append(ch); total+=ch
    return total, months
for name,e,div in (("exact kWh",exact,1),("Wh-rounded",wh,1000)):
    ee=[D(x)/div for x in e]
    for lab,args in (("A",(RES_WKDAY,RES_WKEND,A,False)),("A y2",(RES_WKDAY,RES_WKEND,A,False,D('1.025'))),("B",(TW,TE,B,True)),("C",(P36_WKDAY,P36_WKEND,C,False))):
        tot,months=bill(ee,*args)
        print(name,lab,tot, tot.quantize(D('0.01'),ROUND_HALF_UP), [str(x.quantize(D('0.0001'))) for x in months] if lab=='B' else '')
print(sum(wh))
mwh=[int((D(x)*1000000).quantize(D(1),rounding=ROUND_HALF_UP)) for x in raw]
ee=[D(x)/1000000 for x in mwh]
for lab,args in (("A",(RES_WKDAY,RES_WKEND,A,False)),("A y2",(RES_WKDAY,RES_WKEND,A,False,D('1.025'))),("B",(TW,TE,B,True)),("C",(P36_WKDAY,P36_WKEND,C,False))):
    tot,months=bill(ee,*args)
    print("mWh",lab,tot, tot.quantize(D('0.01'),ROUND_HALF_UP))
