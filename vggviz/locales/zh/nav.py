"""The entry point's navigation and the start page."""

MESSAGES = {
    'Start':
        '开始',
    'The architecture':
        '网络结构',
    'An image through the network':
        '一张图像走过网络',
    'The shapes lab':
        '形状实验室',
    'Start here':
        '从这里开始',
    'Architecture':
        '网络结构',
    'Compare depths':
        '比较深度',
    'Why 3×3?':
        '为什么用 3×3？',
    'Forward pass':
        '前向传播',
    'Feature maps':
        '特征图',
    'One unit':
        '单个神经元',
    'What a channel wants to see':
        '通道想看到什么',
    'Filters':
        '卷积核',
    'Grad-CAM':
        'Grad-CAM',
    'Fully convolutional':
        '全卷积',
    'Train it yourself':
        '亲手训练',
    'Teach it your own classes':
        '教它你自己的类别',
    '🧱 vggviz: VGG, taken apart':
        '🧱 vggviz：把 VGG 拆开看',
    'Variants':
        '变体',
    'VGG16 parameters':
        'VGG16 参数量',
    'VGG16 compute at 224×224':
        'VGG16 在 224×224 下的计算量',
    'Weights: ImageNet weights are downloaded once by torchvision. Offline, the app falls back to seeded random weights and says so on every page. Command line: `python -m vggviz summary vgg16 --json`.':
        '权重：ImageNet 预训练权重由 torchvision 下载一次。离线时，应用改用带固定种子的随机权重，并在每一页上注明。命令行：`python -m vggviz summary vgg16 --json`。',
    "\nThis app lets you open it up, layer by layer, with exact numbers.\n\n**No internet? Pick the mini family** in the sidebar (*mini VGG16 (D) · trained on shapes*): the\npaper's configurations at teaching scale, trained on pictures of twelve shapes, with their weights\nshipped in the app. Every page then shows something learned, offline; pick a *Shapes …* sample\nimage, or draw your own shape and upload it.\n\n**Where to start**\n\n1. **Architecture**: the layer table of the variant chosen in the sidebar: shapes, parameters,\n   MACs/FLOPs, receptive fields, memory. Notice where the parameters live (the FC layers) and\n   where the compute happens (the convolutions).\n2. **Compare depths**: VGG11 → VGG19 side by side, and the paper's Table 1 with what each step adds.\n3. **Why 3×3?**: three 3×3 convolutions see as much as one 7×7, with fewer weights and more non-linearities.\n4. Pick or upload an **image** in the sidebar, then follow it through **Forward pass**,\n   **Feature maps**, **Filters** and **Grad-CAM**.\n5. **Fully convolutional**: turn the FC layers into convolutions and run VGG on any image size.\n6. **Train it yourself** (the shapes lab): train the mini VGGs live and test the paper's claims —\n   does depth help, are 3×3 stacks better than one big kernel, why start E from A?\n":
        '\n本应用让你逐层拆开它，并给出精确的数字。\n\n**没有网络？在侧边栏选择 mini 系列**（*mini VGG16 (D) · 在形状上训练*）：这是论文中各配置的教学规模版本，\n在十二种形状的图片上训练，权重随应用一起提供。这样每一页都能离线展示网络学到的东西；选择一张 *Shapes …*\n示例图像，或者画一个你自己的形状并上传。\n\n**从哪里开始**\n\n1. **网络结构**：侧边栏所选变体的逐层表格：形状、参数量、MACs/FLOPs、感受野、内存。\n   注意参数集中在哪里（全连接层），计算量又集中在哪里（卷积层）。\n2. **比较深度**：VGG11 → VGG19 并排比较，以及论文的表 1 和每一步增加了什么。\n3. **为什么用 3×3？**：三个 3×3 卷积的感受野与一个 7×7 相同，但权重更少、非线性更多。\n4. 在侧边栏选择或上传一张**图像**，然后依次看**前向传播**、**特征图**、**卷积核**和 **Grad-CAM**。\n5. **全卷积**：把全连接层变成卷积层，让 VGG 能处理任意尺寸的图像。\n6. **亲手训练**（形状实验室）：现场训练 mini VGG，检验论文的结论——\n   深度有帮助吗？3×3 的堆叠比一个大卷积核更好吗？为什么 E 要从 A 开始初始化？\n',
    "The paper's A, A-LRN, B, C, D, E; BN versions of A, B, D, E":
        '论文中的 A、A-LRN、B、C、D、E；以及 A、B、D、E 的批归一化（BN）版本',
    '\nVGG (Simonyan & Zisserman, 2015) is the network that showed **depth** matters: stacks of small\n**3×3 convolutions** and **2×2 max-pools**, then three fully connected layers. ':
        '\nVGG（Simonyan 和 Zisserman，2015）证明了**深度**的重要性：它由小的\n**3×3 卷积**和 **2×2 最大池化**层层堆叠而成，最后是三个全连接层。',
    '{n}: {pct}% of them in the three FC layers':
        '{n}：其中 {pct}% 在三个全连接层中',
    '= {flops}; {pct}% of it in the convolutions':
        '= {flops}；其中 {pct}% 在卷积层中',
}
